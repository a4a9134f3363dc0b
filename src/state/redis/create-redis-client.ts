import { Cluster, Redis, type RedisOptions } from 'ioredis';
import type { RedisConfig } from '../../config/types.js';
import { reconnectDelayMs } from './reconnect-delay.js';

/*
 * ioredis is pinned to 5.x (package.json: 5.11.1), not 6.
 *
 * ioredis 6 speaks RESP3 by default (HELLO 3 on every connection, RESP2 only as a fallback) and
 * changes the default retry strategy and keep-alive. rate-limiter-flexible (11.4.0 here) reads the
 * replies of its Lua script and of MULTI/EXEC by their RESP2/ioredis-5 shapes (RateLimiterRedis
 * `_getRateLimiterRes` tells ioredis by `Array.isArray` on `[err, value]` tuples); its release notes
 * for 3.0 name the ioredis majors it is tested with (2 to 5), and its own dev dependency is ioredis
 * ^5.10.1: no release says it is tested against ioredis 6 or RESP3. Its tracker shows how it breaks
 * when a client changes reply shapes (animir/node-rate-limiter-flexible#9: ioredis 4 exec replies;
 * #228: "result is not iterable"). A limiter that misreads a reply would fail every admit, and a
 * failure there must never turn into a 429 or a silent pass. HELLO 3 is also refused by some proxies
 * in front of managed Redis. Nothing here needs RESP3 (no client-side caching, no push frames on the
 * command connection). Moving to 6 means: `protocol: 2` or a rate-limiter-flexible release tested on
 * RESP3, and this module's tests run against it.
 */

/** A single node, a Sentinel-managed master, or a Cluster: every command below works on each. */
export type RedisClient = Redis | Cluster;

export interface RedisClientOptions {
  /**
   * A pub/sub connection: off the request path, so commands may wait for a connection (offline
   * queue on, no per-request retry limit) and resubscription is left to the subscriber.
   */
  readonly subscriber?: boolean;
  /** Connect on `connect()` instead of at once (the CLI wants to fail fast with a message). */
  readonly lazyConnect?: boolean;
}

/** Attempts per command: one retry covers a connection that closed under it, no more. */
const MAX_RETRIES_PER_REQUEST = 1;

/** ioredis passes extra arguments to its strategies; the delay depends on the attempt alone. */
const retry = (attempt: number): number => reconnectDelayMs(attempt);

/**
 * Builds the ioredis client of `redis.url`, `redis.sentinel` or `redis.cluster`.
 *
 * No offline queue: while Redis is away a command fails at once instead of waiting in memory for a
 * reconnection, so no request ever waits on a dead Redis; `commandTimeout` bounds a Redis that is
 * connected but does not answer. Reconnection never stops (capped backoff), so the sidecar recovers
 * without a restart.
 */
export function createRedisClient(config: RedisConfig, password?: string, options: RedisClientOptions = {}): RedisClient {
  const subscriber = options.subscriber === true;
  const common: RedisOptions = {
    // A subscriber waits for its answers in the background; a request never does.
    ...(subscriber ? {} : { commandTimeout: config.commandTimeoutMs }),
    maxRetriesPerRequest: subscriber ? null : MAX_RETRIES_PER_REQUEST,
    // Off, measured (docs/performance.md): ioredis's auto-pipelining (scripts of concurrent
    // requests gathered until setImmediate, then one socket write) saved about 3% of CPU per
    // request at saturation, but built a Pipeline object per write: 15 to 17 MB more peak memory,
    // and 0.2 ms more p50 at 1,000 requests/s, where there is rarely anything to gather.
    enableAutoPipelining: false,
    autoResubscribe: false,
    lazyConnect: options.lazyConnect === true,
    ...(password !== undefined ? { password } : {}),
  };
  switch (config.mode) {
    case 'url':
      return new Redis(config.url, {
        ...common,
        enableOfflineQueue: subscriber,
        retryStrategy: retry,
      });
    case 'sentinel':
      return new Redis({
        ...common,
        enableOfflineQueue: subscriber,
        retryStrategy: retry,
        name: config.name,
        sentinels: config.nodes.map(({ host, port }) => ({ host, port })),
        sentinelRetryStrategy: retry,
        // Learn of a failover from the sentinels' +switch-master at once, not only when the old
        // master drops the connection. Sentinel also kills the clients of a demoted master.
        failoverDetector: true,
        // The same password for the sentinels: charts that protect Redis protect its sentinels too.
        ...(password !== undefined ? { sentinelPassword: password } : {}),
      });
    case 'cluster':
      return new Cluster(
        config.nodes.map(({ host, port }) => ({ host, port })),
        {
          enableOfflineQueue: subscriber,
          // Off as above; on Cluster it would also misroute: ioredis groups auto-pipelined commands
          // by the slot of their first argument, which for the state scripts (a variable number of
          // keys) is the key count.
          enableAutoPipelining: false,
          clusterRetryStrategy: retry,
          redisOptions: common,
          lazyConnect: options.lazyConnect === true,
          // Redirections and retries after a node failure add up; keep them inside a request's bound.
          maxRedirections: 4,
          retryDelayOnFailover: 50,
          retryDelayOnClusterDown: 50,
          retryDelayOnTryAgain: 50,
        },
      );
  }
}
