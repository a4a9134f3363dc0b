import type { RedisClient } from '../state/redis/create-redis-client.js';
import type { RedisKeyspace } from '../state/redis/redis-keyspace.js';
import type { TokenRecord } from '../state/token-set.js';
import { defineScript } from '../state/redis/define-script.js';
import { encodeTokenRecord } from './token-records.js';

/** KEYS: tokens. ARGV: hash, record. Writes only into an empty (absent) set; 1 when it did. */
const SEED_LUA = `
if redis.call('exists', KEYS[1]) == 1 then return 0 end
redis.call('hset', KEYS[1], ARGV[1], ARGV[2])
return 1
`;

/**
 * Seeds a hook's token set with the configured token's record, only while the set is empty: at the
 * first start, and again after Redis lost its data. Atomic, so neither a rotation nor another
 * replica seeding at the same moment can be overwritten. True when this call seeded.
 */
export async function seedToken(client: RedisClient, keys: RedisKeyspace, hook: string, record: TokenRecord): Promise<boolean> {
  const seed = defineScript(client, 'hookguardSeedToken', 1, SEED_LUA);
  return (await seed([keys.tokens(hook)], [record.hash, encodeTokenRecord(record)])) === 1;
}
