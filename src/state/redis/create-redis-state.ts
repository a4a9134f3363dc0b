import type { Logger } from 'pino';
import type { HookConfig, RedisConfig } from '../../config/types.js';
import type { GatewayMetrics } from '../../observability/gateway-metrics.js';
import type { StateStore } from '../store.js';
import { createRedisTokenBook, type RedisTokenBook } from '../../tokens/redis-token-book.js';
import { createRedisClient } from './create-redis-client.js';
import { createRedisStore } from './create-redis-store.js';
import { createRedisPresetShare } from './redis-preset-share.js';
import type { PresetShare } from '../../sources/preset-share.js';

export interface RedisStateDeps {
  readonly config: RedisConfig;
  /** The resolved `redis.password` (resolveSecret), when the config has one. */
  readonly password?: string;
  readonly hooks: readonly HookConfig[];
  readonly logger: Logger;
  readonly metrics?: Pick<GatewayMetrics, 'redisUp' | 'tokenRotations'>;
  readonly resyncIntervalMs?: number;
}

export interface RedisState {
  readonly store: StateStore;
  readonly tokens: RedisTokenBook;
  /** Provider ranges fetched by one replica, reused by the others. */
  readonly presets: PresetShare;
  /** Closes the token book, then the store (and so both connections). Idempotent. */
  close(): Promise<void>;
}

/**
 * Everything a sidecar shares through Redis, on two connections: one for commands (state store and
 * token loads), one for the token channel. Call `tokens.start()` before serving.
 */
export function createRedisState(deps: RedisStateDeps): RedisState {
  const { config, password, logger, metrics } = deps;
  const client = createRedisClient(config, password);
  const subscriber = createRedisClient(config, password, { subscriber: true });
  const store = createRedisStore({ client, config, logger, ...(metrics ? { metrics } : {}) });
  const tokens = createRedisTokenBook({
    client,
    subscriber,
    prefix: config.prefix,
    hooks: deps.hooks,
    logger,
    ...(metrics ? { metrics } : {}),
    ...(deps.resyncIntervalMs !== undefined ? { resyncIntervalMs: deps.resyncIntervalMs } : {}),
  });
  return {
    store,
    tokens,
    presets: createRedisPresetShare(client, config.prefix),
    close: async () => {
      await tokens.close();
      await store.close();
    },
  };
}
