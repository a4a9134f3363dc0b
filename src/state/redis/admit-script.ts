import type { AdmitDecision } from '../store.js';
import { retryAfterSeconds } from '../retry-after.js';
import { claimLua, settlesFirstLua } from './redis-replay-log.js';

/**
 * The whole of `admit` in one round trip: lockout check, then the per-source window, then the
 * per-hook window, in the order and with the arithmetic of MemoryLimiters (rate-limiter-flexible's
 * RateLimiterMemory: a fixed window that starts at the first point, a point consumed even when
 * refused, refused above `points`).
 *
 * rate-limiter-flexible's RateLimiterRedis would spend a round trip per step (MULTI GET/PTTL for the
 * lockout, one EVALSHA per window), three in a row for every accepted delivery, so the windows are
 * counted here, with as few commands as the semantics allow, because Redis's CPU counts too: INCR;
 * EXPIRE only when the INCR created the counter (the first point starts the window); PTTL only when
 * refused (for Retry-After). Its incr-TTL script spends SET NX EX, INCRBY and PTTL on every point.
 * A counter without expiry (written by hand, or left by a script that failed between INCR and
 * EXPIRE: Redis does not roll scripts back) cannot say when its window began; it is found at the
 * latest when it refuses, and a new window starts at that point instead of refusing forever.
 *
 * The lockout counter is the key RateLimiterRedis itself writes in `recordAuthFailure` (locked out
 * from `failures` points: the failures-th failure blocks). A locked-out source consumes nothing,
 * and a request refused per source takes no point from the hook, so a flood from one address cannot
 * spend the budget of the hook's real senders.
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
  local consumed = redis.call('incr', key)
  if consumed == 1 then
    redis.call('expire', key, seconds)
  elseif consumed > points then
    local ttl = redis.call('pttl', key)
    if ttl >= 0 then return ttl end
    redis.call('set', key, 1, 'EX', seconds)
  end
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

/**
 * Both scripts first apply the settles they carry (settlesFirstLua: queued settles of the same
 * hook, as extra keys after the script's own and extra arguments after its own), then do their own
 * work: the settles are written whatever the verdict.
 */
export const ADMIT_LUA = `${settlesFirstLua(3, 5)}${ADMIT_CHECKS}return {0}
`;

/**
 * ADMIT_LUA, then, when admitted, the replay claim of RedisReplayLog in the same script, so an
 * accepted delivery whose id is in its headers costs one round trip before it is forwarded.
 * KEYS: lockout, perSource, perHook, replay record (one hash tag). ARGV: as ADMIT_LUA, then claim
 * token, in-flight seconds. Returns {0, claim} with claim 0 claimed, 1 in flight, 2 done; or the
 * refusals of ADMIT_LUA.
 */
export const ADMIT_AND_CLAIM_LUA = `${settlesFirstLua(4, 7)}${ADMIT_CHECKS}${claimLua(4, 6, 7, (code) => `return {0, ${code}}`)}`;

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
