import type { RedisClient } from '../state/redis/create-redis-client.js';
import type { RedisKeyspace } from '../state/redis/redis-keyspace.js';
import type { TokenRecord } from '../state/token-set.js';
import { decodeTokenRecords } from './token-records.js';

/** The token records of a hook in Redis (hashes and times only), oldest first. */
export async function listTokens(client: RedisClient, keys: RedisKeyspace, hook: string): Promise<TokenRecord[]> {
  return decodeTokenRecords(await client.hgetall(keys.tokens(hook)));
}
