import { fileURLToPath } from 'node:url';
import { freePort } from '../../test/helpers/free-port.js';
import { startProcess, waitForPort, type ManagedProcess } from './managed-process.js';

const APP = fileURLToPath(new URL('../app.mjs', import.meta.url));

/** The app every scenario ends at: bench/app.mjs, one process for the whole run. */
export async function startApp(): Promise<{ port: number; process: ManagedProcess }> {
  const port = await freePort();
  const app = startProcess('app', process.execPath, [APP, String(port)]);
  await waitForPort(app, port);
  return { port, process: app };
}
