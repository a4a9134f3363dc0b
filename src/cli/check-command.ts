import type { CommandLine } from './parse-command-line.js';
import { loadSidecarConfig } from '../config/load-sidecar-config.js';
import { ConfigError } from '../config/problems.js';
import { UsageError } from './usage.js';

export interface Output {
  out(line: string): void;
  err(line: string): void;
}

/** `hookguard check`: 0 and a one-line summary, or 1 and every problem with its key path. */
export function checkCommand(line: CommandLine, io: Output, env: NodeJS.ProcessEnv): number {
  if (!line.config) throw new UsageError('check needs --config FILE (or HOOKGUARD_CONFIG)');
  try {
    const config = loadSidecarConfig(line.config, overridesOf(line), env);
    const state = config.redis ? `redis (${config.redis.mode}, onError: ${config.redis.onError})` : 'memory (one replica)';
    const hooks = config.hooks.map((h) => `${h.name}:${h.provider}`).join(', ');
    io.out(`ok: ${line.config}: ${config.hooks.length} hook${config.hooks.length === 1 ? '' : 's'} (${hooks}); listen ${config.listen.host}:${config.listen.port} -> ${config.upstream.origin}; state ${state}`);
    return 0;
  } catch (error) {
    if (error instanceof ConfigError) {
      io.err(error.message);
      return 1;
    }
    throw error;
  }
}

export function overridesOf(line: CommandLine) {
  return {
    ...(line.listen !== undefined ? { listen: line.listen } : {}),
    ...(line.admin !== undefined ? { admin: line.admin } : {}),
    ...(line.upstream !== undefined ? { upstream: line.upstream } : {}),
  };
}
