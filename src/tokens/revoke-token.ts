import type { RedisClient } from '../state/redis/create-redis-client.js';
import type { RedisKeyspace } from '../state/redis/redis-keyspace.js';
import { tokenId } from '../state/token-set.js';
import { defineScript } from '../state/redis/define-script.js';
import { publishTokenChange } from './publish-token-change.js';

/**
 * KEYS: tokens. ARGV: id (hash prefix), now. Returns {1, hash} revoked, {0} no such id,
 * {2} ambiguous id, {3} refused: the hook would be left without a valid token, or its set empty
 * (which replicas would re-seed from the configured token, bringing back what was revoked).
 */
const REVOKE_LUA = `
local now = tonumber(ARGV[2])
local fields = redis.call('hgetall', KEYS[1])
local match = nil
local matchValid = false
local matches = 0
local validOthers = 0
for i = 1, #fields, 2 do
  local created, expires = string.match(fields[i + 1], '^(%d+):(%d+)$')
  local valid = created ~= nil and (expires == '0' or tonumber(expires) > now)
  if string.sub(fields[i], 1, #ARGV[1]) == ARGV[1] then
    matches = matches + 1
    match = fields[i]
    matchValid = valid
  elseif valid then
    validOthers = validOthers + 1
  end
end
if matches == 0 then return {0} end
if matches > 1 then return {2} end
if (matchValid and validOthers == 0) or #fields == 2 then return {3} end
redis.call('hdel', KEYS[1], match)
return {1, match}
`;

export type Revocation =
  | { readonly ok: true; readonly id: string }
  | { readonly ok: false; readonly reason: 'not_found' | 'ambiguous' | 'last_token' };

const REFUSALS = { 0: 'not_found', 2: 'ambiguous', 3: 'last_token' } as const;

/** Ends one token of the hook at once, on every replica. `id`: the first 8 hex characters of its hash. */
export async function revokeToken(client: RedisClient, keys: RedisKeyspace, hook: string, id: string, now: number = Date.now()): Promise<Revocation> {
  const revoke = defineScript(client, 'hookguardRevokeToken', 1, REVOKE_LUA);
  const reply = (await revoke([keys.tokens(hook)], [id.toLowerCase(), now])) as [number, string?];
  if (reply[0] !== 1 || reply[1] === undefined) {
    const reason = REFUSALS[reply[0] as keyof typeof REFUSALS];
    if (reason === undefined) throw new TypeError(`revoke script: unexpected reply ${JSON.stringify(reply)}`);
    return { ok: false, reason };
  }
  const revoked = tokenId(reply[1]);
  await publishTokenChange(client, keys, { hook, event: 'revoked', id: revoked });
  return { ok: true, id: revoked };
}
