import type { Logger } from 'pino';
import type { RedisConfig, SidecarConfig } from '../config/types.js';
import type { ManagedTokenBook } from '../gateway/gateway-deps.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { StateStore } from '../state/store.js';
import type { PresetShare } from '../sources/preset-share.js';
import { resolveSecret } from '../config/resolve-secret.js';
import { ConfigError } from '../config/problems.js';
import { createRedisState } from '../state/redis/create-redis-state.js';

/**
 * Connects the shared state: the Redis store and the token book (which loads the token sets and
 * subscribes to changes before the sidecar serves; until its first load the configured tokens are
 * honoured). The token book's close also closes the store's connections.
 */
export async function startRedisState(
  config: SidecarConfig,
  redis: RedisConfig,
  options: { logger: Logger; env?: NodeJS.ProcessEnv; baseDir?: string },
  metrics: GatewayMetrics,
): Promise<{ store: StateStore; tokens: ManagedTokenBook; presets: PresetShare }> {
  let password: string | undefined;
  if (redis.password) {
    const resolved = resolveSecret(redis.password, options.env ?? process.env, options.baseDir ?? process.cwd());
    if (!resolved.ok) throw new ConfigError([{ path: 'redis.password', message: resolved.message }]);
    password = resolved.value;
  }
  const state = createRedisState({ config: redis, ...(password !== undefined ? { password } : {}), hooks: config.hooks, logger: options.logger, metrics });
  await state.tokens.start();
  const tokens: ManagedTokenBook = {
    tokensOf: (hook) => state.tokens.tokensOf(hook),
    update: (hooks) => state.tokens.setHooks(hooks),
    close: () => state.close(),
  };
  // The store's own close runs inside state.close(); closing it again is a no-op.
  return { store: state.store, tokens, presets: state.presets };
}
