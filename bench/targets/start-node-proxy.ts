import { fileURLToPath } from 'node:url';
import type { Target } from './target.js';
import { freePort } from '../../test/helpers/free-port.js';
import { startProcess, waitForPort } from './managed-process.js';

const PROXY = fileURLToPath(new URL('../node-proxy.mjs', import.meta.url));

export async function startNodeProxy(appPort: number): Promise<Target> {
  const port = await freePort();
  const proxy = startProcess('node-proxy', process.execPath, [PROXY, String(port), String(appPort)]);
  await waitForPort(proxy, port);
  return { port, pids: () => [proxy.pid], stop: () => proxy.stop() };
}
