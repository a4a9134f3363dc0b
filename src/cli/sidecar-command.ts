import type { CommandLine } from './parse-command-line.js';
import { loadSidecarConfig } from '../config/load-sidecar-config.js';
import { createLogger } from '../observability/logger.js';
import { runSidecar } from '../sidecar/run-sidecar.js';
import { UsageError } from './usage.js';
import { overridesOf } from './check-command.js';
import { onTermination } from './on-termination.js';

/** `hookguard sidecar`: runs until SIGTERM/SIGINT, then drains and exits 0. */
export async function sidecarCommand(line: CommandLine, env: NodeJS.ProcessEnv): Promise<number> {
  if (!line.config) throw new UsageError('sidecar needs --config FILE (or HOOKGUARD_CONFIG)');
  const config = loadSidecarConfig(line.config, overridesOf(line), env);
  const logger = createLogger();
  if (config.redis) {
    logger.fatal({ event: 'unsupported', key: 'redis' }, 'redis: this build has no Redis state store yet; remove the redis section to run with in-memory state');
    logger.flush();
    return 1;
  }
  const handle = await runSidecar(config, { logger });
  return onTermination(async () => {
    await handle.shutdown();
    logger.flush();
  });
}
