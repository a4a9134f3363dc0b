import type { AdmitDecision } from '../store.js';
import { retryAfterSeconds } from '../retry-after.js';

/**
 * The whole of `admit` in one round trip: lockout check, then the per-source window, then the
 * per-hook window, in the order and with the arithmetic of MemoryLimiters.
 *
 * rate-limiter-flexible's RateLimiterRedis would spend a round trip per step (MULTI GET/PTTL for the
 * lockout, one EVALSHA per window), three in a row for every accepted delivery, so the windows are
 * counted here with its own algorithm: the same `SET key 0 EX duration NX; INCRBY; PTTL` as its
 * incr-TTL script (a fixed window that starts at the first point, a point consumed even when
 * refused, refused above `points`), and the lockout counter is the key RateLimiterRedis itself
 * writes in `recordAuthFailure` (locked out from `failures` points: the failures-th failure blocks).
 * A locked-out source consumes nothing, and a request refused per source takes no point from the
 * hook, so a flood from one address cannot spend the budget of the hook's real senders.
 *
 * KEYS: lockout, perSource, perHook (one hash tag). ARGV: failures, sourcePoints, sourceSeconds,
 * hookPoints, hookSeconds; 0 points (or failures) = that check is off.
 * Returns {0} admitted, {1, pttl} rate limited, {2, pttl} locked out.
 */
const ADMIT_CHECKS = `
local failures = tonumber(ARGV[1])
if failures > 0 then
  local failed = tonumber(redis.call('get', KEYS[1]) or '0')
  if failed >= failures then
    return {2, redis.call('pttl', KEYS[1])}
  end
end
local function consume(key, points, seconds)
  redis.call('set', key, 0, 'EX', seconds, 'NX')
  local consumed = redis.call('incrby', key, 1)
  local ttl = redis.call('pttl', key)
  if ttl == -1 then
    redis.call('expire', key, seconds)
    ttl = 1000 * seconds
  end
  if consumed > points then return ttl end
  return nil
end
local sourcePoints = tonumber(ARGV[2])
if sourcePoints > 0 then
  local wait = consume(KEYS[2], sourcePoints, ARGV[3])
  if wait then return {1, wait} end
end
local hookPoints = tonumber(ARGV[4])
if hookPoints > 0 then
  local wait = consume(KEYS[3], hookPoints, ARGV[5])
  if wait then return {1, wait} end
end
`;

export const ADMIT_LUA = `${ADMIT_CHECKS}return {0}
`;

/**
 * ADMIT_LUA, then, when admitted, the replay claim of RedisReplayLog in the same script, so an
 * accepted delivery whose id is in its headers costs one round trip before it is forwarded.
 * KEYS: lockout, perSource, perHook, replay record (one hash tag). ARGV: as ADMIT_LUA, then claim
 * token, in-flight seconds. Returns {0, claim} with claim 0 claimed, 1 in flight, 2 done; or the
 * refusals of ADMIT_LUA.
 */
export const ADMIT_AND_CLAIM_LUA = `${ADMIT_CHECKS}if redis.call('set', KEYS[4], ARGV[6], 'NX', 'EX', ARGV[7]) then return {0, 0} end
if redis.call('get', KEYS[4]) == 'done' then return {0, 2} end
return {0, 1}
`;

const ADMITTED: AdmitDecision = Object.freeze({ ok: true });

/** Reads the script's reply. Anything else than its three shapes is a bug, not a verdict. */
export function admitDecisionOf(reply: unknown): AdmitDecision {
  if (!Array.isArray(reply) || typeof reply[0] !== 'number') throw new TypeError(`admit script: unexpected reply ${JSON.stringify(reply)}`);
  if (reply[0] === 0) return ADMITTED;
  const waitMs = typeof reply[1] === 'number' ? reply[1] : 0;
  if (reply[0] === 1) return { ok: false, reason: 'rate_limited', retryAfterSeconds: retryAfterSeconds(waitMs) };
  if (reply[0] === 2) return { ok: false, reason: 'locked_out', retryAfterSeconds: retryAfterSeconds(waitMs) };
  throw new TypeError(`admit script: unexpected code ${String(reply[0])}`);
}
