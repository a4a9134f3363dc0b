import type { AdmitDecision, ClaimResult } from '../store.js';
import { retryAfterSeconds } from '../retry-after.js';
import { CLAIM_RESULTS, claimLua, settlesFirstLua } from './redis-replay-log.js';

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
 * Deliveries are admitted in batches (call-gatherer.ts: the calls that arrive while a script is out
 * go together in the next one), each delivery checked in turn with its own keys and arguments, so
 * a batch decides exactly what the same deliveries sent one by one would have.
 *
 * Per delivery, its key count c (3 or 4) as one argument, then its own arguments; its keys in the
 * same order. c = 3, admit: KEYS lockout, perSource, perHook (one hash tag); ARGV failures,
 * sourcePoints, sourceSeconds, hookPoints, hookSeconds; 0 points (or failures) = that check is off.
 * c = 4, admit and claim: the replay record as a fourth key, the claim token and in-flight seconds
 * as sixth and seventh arguments; when admitted, the replay claim of RedisReplayLog runs in the same
 * script, so an accepted delivery whose id is in its headers costs at most one round trip before it
 * is forwarded.
 *
 * ARGV[1] is the number of deliveries; the queued settles the script carries follow the
 * deliveries' keys and arguments (settlesFirstLua) and are applied first, whatever the verdicts.
 *
 * Returns one reply per delivery: {0} admitted, {0, claim} admitted with claim 0 claimed, 1 in
 * flight, 2 done; {1, pttl} rate limited, {2, pttl} locked out; {3, message} when a Redis command
 * failed for this delivery (a key of the wrong type): that delivery alone takes the outage path.
 */
export const ADMIT_BATCH_LUA = `local n = tonumber(ARGV[1])
local ownKeys, ownArgs = 0, 1
for j = 1, n do
  local c = tonumber(ARGV[ownArgs + 1])
  ownKeys = ownKeys + c
  ownArgs = ownArgs + 1 + (c == 4 and 7 or 5)
end
${settlesFirstLua('ownKeys', 'ownArgs')}local function consume(key, points, seconds)
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
local function admit(k, a, c)
  local failures = tonumber(ARGV[a + 1])
  if failures > 0 then
    local failed = tonumber(redis.call('get', KEYS[k + 1]) or '0')
    if failed >= failures then
      return {2, redis.call('pttl', KEYS[k + 1])}
    end
  end
  local sourcePoints = tonumber(ARGV[a + 2])
  if sourcePoints > 0 then
    local wait = consume(KEYS[k + 2], sourcePoints, ARGV[a + 3])
    if wait then return {1, wait} end
  end
  local hookPoints = tonumber(ARGV[a + 4])
  if hookPoints > 0 then
    local wait = consume(KEYS[k + 3], hookPoints, ARGV[a + 5])
    if wait then return {1, wait} end
  end
  if c == 3 then return {0} end
${claimLua('k + 4', 'a + 6', 'a + 7', (code) => `return {0, ${code}}`)}end
local replies = {}
local k, a = 0, 1
for j = 1, n do
  local c = tonumber(ARGV[a + 1])
  local ok, reply = pcall(admit, k, a + 1, c)
  if ok then
    replies[j] = reply
  else
    replies[j] = {3, type(reply) == 'table' and tostring(reply.err) or tostring(reply)}
  end
  k = k + c
  a = a + 1 + (c == 4 and 7 or 5)
end
return replies
`;

const ADMITTED: AdmitDecision = Object.freeze({ ok: true });

/**
 * Reads one delivery's reply. {3, message} is Redis failing for this delivery: an Error, which the
 * store treats as the outage it is. Anything else than the script's shapes is a bug, not a verdict.
 */
export function admitDecisionOf(reply: unknown): AdmitDecision {
  if (!Array.isArray(reply) || typeof reply[0] !== 'number') throw new TypeError(`admit script: unexpected reply ${JSON.stringify(reply)}`);
  if (reply[0] === 0) return ADMITTED;
  if (reply[0] === 3) throw new Error(`admit script: ${String(reply[1])}`);
  const waitMs = typeof reply[1] === 'number' ? reply[1] : 0;
  if (reply[0] === 1) return { ok: false, reason: 'rate_limited', retryAfterSeconds: retryAfterSeconds(waitMs) };
  if (reply[0] === 2) return { ok: false, reason: 'locked_out', retryAfterSeconds: retryAfterSeconds(waitMs) };
  throw new TypeError(`admit script: unexpected code ${String(reply[0])}`);
}

/** Reads the reply of an admit-and-claim delivery (c = 4): the verdict, and the claim when admitted. */
export function admitAndClaimOf(reply: unknown): { decision: AdmitDecision; claim?: ClaimResult } {
  const decision = admitDecisionOf(reply);
  if (!decision.ok) return { decision };
  const code = (reply as unknown[])[1];
  const claim = typeof code === 'number' ? CLAIM_RESULTS[code] : undefined;
  if (claim === undefined) throw new TypeError(`admit-and-claim script: unexpected reply ${JSON.stringify(reply)}`);
  return { decision, claim };
}
