import type { RedisClient } from '../state/redis/create-redis-client.js';
import type { RedisKeyspace } from '../state/redis/redis-keyspace.js';
import { encodeTokenChange, type TokenChange } from './token-change.js';

/**
 * Tells every replica to reload the hook's tokens. A replica that misses it (disconnected at that
 * moment) catches up on reconnection or at its next periodic resync.
 */
export async function publishTokenChange(client: RedisClient, keys: RedisKeyspace, change: TokenChange): Promise<void> {
  await client.publish(keys.tokenChannel(), encodeTokenChange(change));
}
