import type { CommandLine } from './parse-command-line.js';
import { createLogger } from '../observability/logger.js';
import { runInjector } from '../injector/run-injector.js';
import { UsageError } from './usage.js';
import { onTermination } from './on-termination.js';

/** `hookguard injector`: the admission webhook, until SIGTERM/SIGINT; then it closes and exits 0. */
export async function injectorCommand(line: CommandLine, env: NodeJS.ProcessEnv): Promise<number> {
  if (!line.config) throw new UsageError('injector needs --config FILE (or HOOKGUARD_CONFIG)');
  const logger = createLogger({ name: 'hookguard-injector' });
  const injector = await runInjector({
    configPath: line.config,
    overrides: { ...(line.listen !== undefined ? { listen: line.listen } : {}), ...(line.admin !== undefined ? { admin: line.admin } : {}) },
    logger,
    env,
  });
  return onTermination(async () => {
    await injector.close();
    logger.flush();
  });
}
