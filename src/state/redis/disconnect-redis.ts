import type { RedisClient } from './create-redis-client.js';

/** How long a clean QUIT may take before the socket is simply dropped. */
const QUIT_TIMEOUT_MS = 1_000;

/**
 * QUIT when connected (so replies in flight arrive), then drop the socket and stop reconnecting.
 * Bounded: a hung Redis must not hold up a shutdown.
 */
export async function disconnectRedis(client: RedisClient): Promise<void> {
  if (client.status === 'ready') {
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      client.quit().catch(() => undefined),
      new Promise<void>((resolve) => {
        timer = setTimeout(resolve, QUIT_TIMEOUT_MS);
      }),
    ]);
    clearTimeout(timer);
  }
  client.disconnect();
}
