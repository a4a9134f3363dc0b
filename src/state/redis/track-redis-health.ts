import type { Logger } from 'pino';
import type { Gauge } from 'prom-client';
import type { RedisClient } from './create-redis-client.js';

export interface RedisHealth {
  /** True while the client can send commands ('ready'). */
  isUp(): boolean;
  stop(): void;
}

/**
 * Keeps `hookguard_redis_up` and the logs in step with the client's connection. One line per
 * change of state, not per reconnection attempt: an outage of an hour is two lines, not thousands.
 * Listening to 'error' is also what keeps ioredis's connection errors from crashing the process.
 */
export function trackRedisHealth(client: RedisClient, deps: { logger: Logger; redisUp?: Gauge; role: string }): RedisHealth {
  const { logger, redisUp, role } = deps;
  let up = client.status === 'ready';
  let lastError: string | undefined;
  let stopped = false;
  redisUp?.set(up ? 1 : 0);

  const onReady = () => {
    if (stopped) return;
    redisUp?.set(1);
    if (up) return;
    up = true;
    lastError = undefined;
    logger.info({ event: 'redis_up', role }, 'Redis reachable');
  };
  const onDown = () => {
    if (stopped) return;
    redisUp?.set(0);
    if (!up) return;
    up = false;
    logger.warn({ event: 'redis_down', role, cause: lastError }, 'Redis unreachable: reconnecting in the background');
  };
  const onError = (error: unknown) => {
    // The errno code (ECONNREFUSED, ETIMEDOUT) or class name: enough to tell causes apart.
    lastError = (error as NodeJS.ErrnoException).code ?? (error as Error).name;
    if (!up && !stopped) logger.debug({ event: 'redis_error', role, cause: lastError }, 'Redis connection attempt failed');
  };

  client.on('ready', onReady);
  client.on('close', onDown);
  client.on('end', onDown);
  client.on('error', onError);
  // A Cluster reports failures of single nodes separately; the cluster as a whole may still serve.
  client.on('node error', onError);
  return {
    isUp: () => client.status === 'ready',
    // The listeners stay: an 'error' event without one would crash the process.
    stop: () => {
      stopped = true;
    },
  };
}
