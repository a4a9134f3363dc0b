import type { RedisClient } from '../state/redis/create-redis-client.js';
import type { RedisKeyspace } from '../state/redis/redis-keyspace.js';
import { hashToken, tokenId } from '../state/token-set.js';
import { defineScript } from '../state/redis/define-script.js';
import { encodeTokenRecord } from './token-records.js';
import { generateToken } from './generate-token.js';
import { publishTokenChange } from './publish-token-change.js';

/**
 * KEYS: tokens. ARGV: new hash, new record, now, grace end (epoch ms). In one step: every token
 * without expiry gets the grace end as its expiry, records already expired are dropped (so the set
 * does not grow with every rotation), the new token is added. Returns the hashes put on grace.
 */
const ROTATE_LUA = `
local now = tonumber(ARGV[3])
local fields = redis.call('hgetall', KEYS[1])
local graced = {}
for i = 1, #fields, 2 do
  local created, expires = string.match(fields[i + 1], '^(%d+):(%d+)$')
  if created ~= nil then
    if expires == '0' then
      redis.call('hset', KEYS[1], fields[i], created .. ':' .. ARGV[4])
      table.insert(graced, fields[i])
    elseif tonumber(expires) <= now then
      redis.call('hdel', KEYS[1], fields[i])
    end
  end
end
redis.call('hset', KEYS[1], ARGV[1], ARGV[2])
return graced
`;

export interface Rotation {
  /** The new token, in clear: shown once to the operator, stored nowhere. */
  readonly token: string;
  readonly id: string;
  /** Ids of the previous tokens, now valid until `graceEndsAt`. */
  readonly graced: readonly string[];
  readonly graceEndsAt: number;
}

/**
 * Makes a new token for the hook and keeps the previous ones valid for `graceMs` (0: they end now),
 * then tells every replica. Redis receives the token's hash only.
 */
export async function rotateToken(client: RedisClient, keys: RedisKeyspace, hook: string, graceMs: number, now: number = Date.now()): Promise<Rotation> {
  const token = generateToken();
  const hash = hashToken(token);
  const graceEndsAt = now + graceMs;
  const rotate = defineScript(client, 'hookguardRotateToken', 1, ROTATE_LUA);
  const graced = (await rotate([keys.tokens(hook)], [hash, encodeTokenRecord({ createdAt: now, expiresAt: 0 }), now, graceEndsAt])) as string[];
  const id = tokenId(hash);
  await publishTokenChange(client, keys, { hook, event: 'rotated', id });
  return { token, id, graced: graced.map(tokenId), graceEndsAt };
}
