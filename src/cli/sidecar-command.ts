import { dirname } from 'node:path';
import type { CommandLine } from './parse-command-line.js';
import type { SidecarConfig } from '../config/types.js';
import { loadVersionedSidecarConfig } from '../config/load-sidecar-config.js';
import { createLogger } from '../observability/logger.js';
import { runSidecar } from '../sidecar/run-sidecar.js';
import { watchConfig } from '../sidecar/watch-config.js';
import { UsageError } from './usage.js';
import { overridesOf } from './check-command.js';
import { onTermination } from './on-termination.js';

/** `hookguard sidecar`: runs until SIGTERM/SIGINT, reloading its config live, then drains and exits 0. */
export async function sidecarCommand(line: CommandLine, env: NodeJS.ProcessEnv): Promise<number> {
  const path = line.config;
  if (!path) throw new UsageError('sidecar needs --config FILE (or HOOKGUARD_CONFIG)');
  const flags = overridesOf(line);
  const first = loadVersionedSidecarConfig(path, flags, env);
  const logger = createLogger();
  const handle = await runSidecar(first.config, { logger, env, baseDir: dirname(path) });
  let running = first.config;
  const watcher = watchConfig({
    path,
    load: () => loadVersionedSidecarConfig(path, flags, env),
    initialFingerprint: first.fingerprint,
    apply: (config) => {
      running = config;
      return handle.reload(config);
    },
    files: () => [path, ...running.hooks.flatMap((hook) => hook.secretFiles)],
    logger,
    reloads: handle.deps.metrics.configReloads,
    folders: secretFolders(first.config),
  });
  return onTermination(async () => {
    watcher.close();
    await handle.shutdown();
    logger.flush();
  });
}

function secretFolders(config: SidecarConfig): string[] {
  return [...new Set(config.hooks.flatMap((hook) => hook.secretFiles.map((file) => dirname(file))))];
}
