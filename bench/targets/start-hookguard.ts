import { fileURLToPath } from 'node:url';
import { Unavailable, type Target } from './target.js';
import { freePort } from '../../test/helpers/free-port.js';
import { StartFailed, startProcess, waitForHttp, waitForPort } from './managed-process.js';

const CLI = fileURLToPath(new URL('../../dist/cli.js', import.meta.url));

export interface HookguardOptions {
  /** Write a V8 CPU profile (node --cpu-prof) into this folder when the sidecar exits. */
  readonly cpuProfileDir?: string;
  /** More node flags (for example --perf-basic-prof, so that `perf` can name JIT frames). */
  readonly nodeFlags?: readonly string[];
  /** Sample allocations into this file (bench/targets/allocation-sampler.mjs; SIGUSR1 starts, SIGUSR2 writes). */
  readonly allocationProfile?: string;
}

const ALLOCATION_SAMPLER = fileURLToPath(new URL('./allocation-sampler.mjs', import.meta.url));

/** `node dist/cli.js sidecar` as its own process, so that its CPU and memory come from the OS. */
export async function startHookguard(configFile: string, options: HookguardOptions = {}): Promise<Target> {
  const port = await freePort();
  const adminPort = await freePort();
  const profile = options.cpuProfileDir ? ['--cpu-prof', '--cpu-prof-dir', options.cpuProfileDir, '--cpu-prof-interval', '250'] : [];
  const sampler = options.allocationProfile ? [`--import=${ALLOCATION_SAMPLER}`] : [];
  const env = options.allocationProfile ? { ...process.env, BENCH_ALLOCATION_PROFILE: options.allocationProfile } : process.env;
  const sidecar = startProcess('hookguard', process.execPath, [
    ...profile,
    ...sampler,
    ...(options.nodeFlags ?? []),
    CLI,
    'sidecar',
    '--config',
    configFile,
    '--listen',
    `127.0.0.1:${port}`,
    '--admin',
    `127.0.0.1:${adminPort}`,
  ], { env });
  const adminOrigin = `http://127.0.0.1:${adminPort}`;
  try {
    await waitForHttp(sidecar, `${adminOrigin}/readyz`, 30_000);
    await waitForPort(sidecar, port);
  } catch (error) {
    if (error instanceof StartFailed && refusedRedis(sidecar.lines)) {
      throw new Unavailable('this build of `hookguard sidecar` has no Redis state store yet');
    }
    await sidecar.stop('SIGKILL');
    throw error;
  }
  return { port, adminOrigin, pids: () => [sidecar.pid], stop: () => sidecar.stop('SIGTERM', 30_000) };
}

/** The structured start-up refusal (`event: unsupported, key: redis`) of builds without the Redis store. */
function refusedRedis(lines: readonly string[]): boolean {
  return lines.some((line) => {
    try {
      const entry = JSON.parse(line) as { event?: unknown; key?: unknown };
      return entry.event === 'unsupported' && entry.key === 'redis';
    } catch {
      return false;
    }
  });
}
