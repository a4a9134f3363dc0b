import { mkdtempSync, writeFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { validateSidecarConfig } from '../../src/config/validate-sidecar-config.js';
import { runSidecar, type SidecarHandle } from '../../src/sidecar/run-sidecar.js';
import type { StateStore } from '../../src/state/store.js';
import { captureLogger } from './log-sink.js';

/** A temp folder for secret files; `secret(value)` returns a {file} reference to a new one. */
export function secretsDir() {
  const dir = mkdtempSync(join(tmpdir(), 'hookguard-test-'));
  let n = 0;
  return {
    dir,
    secret(value: string) {
      const file = join(dir, `secret-${n++}`);
      writeFileSync(file, `${value}\n`);
      return { file };
    },
    remove() {
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export interface TestSidecar {
  readonly url: string;
  readonly adminUrl: string;
  readonly handle: SidecarHandle;
  readonly log: ReturnType<typeof captureLogger>;
  stop(): Promise<void>;
}

/** Runs a real sidecar in this process on 127.0.0.1 free ports, logging into a readable sink. */
export async function startSidecar(raw: Record<string, unknown>, options: { store?: StateStore; nowSeconds?: () => number; logLevel?: string } = {}): Promise<TestSidecar> {
  const result = validateSidecarConfig({ listen: '127.0.0.1:0', admin: '127.0.0.1:0', ...raw }, {});
  if (!result.ok) throw new Error(`test config invalid: ${JSON.stringify(result.problems)}`);
  const log = captureLogger(options.logLevel ?? 'debug');
  const handle = await runSidecar(result.config, {
    logger: log.logger,
    ...(options.store ? { store: options.store } : {}),
    ...(options.nowSeconds ? { nowSeconds: options.nowSeconds } : {}),
  });
  return {
    url: `http://127.0.0.1:${handle.listen.port}`,
    adminUrl: `http://127.0.0.1:${handle.admin.port}`,
    handle,
    log,
    stop: () => handle.shutdown(),
  };
}
