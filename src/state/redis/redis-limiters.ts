import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { AdmitDecision, AuthFailureResult, HookLimits } from '../store.js';
import type { RedisClient } from './create-redis-client.js';
import type { RedisKeyspace } from './redis-keyspace.js';
import { retryAfterSeconds } from '../retry-after.js';
import { defineScript, type Script } from './define-script.js';
import { ADMIT_AND_CLAIM_LUA, ADMIT_LUA, admitDecisionOf } from './admit-script.js';
import type { ClaimResult } from '../store.js';

interface HookEntry {
  readonly limits: HookLimits;
  readonly perHookKey: string;
  /** The per-request arguments that do not depend on the source, built once. */
  readonly admitArgs: readonly number[];
  readonly lockout?: RateLimiterRedis;
}

const CLAIMS: readonly ClaimResult[] = ['claimed', 'in_flight', 'done'];
const NONE: readonly never[] = Object.freeze([]);
const OFF: AuthFailureResult = Object.freeze({ state: 'off' });
const COUNTED: AuthFailureResult = Object.freeze({ state: 'counted' });
const LOCKED_NOW: AuthFailureResult = Object.freeze({ state: 'locked_now' });

/**
 * Rate limits and lockout shared by every replica through Redis, with the semantics of
 * MemoryLimiters (the shared table in test/state proves it). `admit` is one Lua script (one round
 * trip, see admit-script.ts); failed authentications are counted by rate-limiter-flexible's
 * RateLimiterRedis, which writes the lockout counter the admit script reads.
 *
 * Both methods reject with the client's Error when Redis fails: the store decides what an outage
 * means (onError). An over-limit is never an exception here.
 */
export class RedisLimiters {
  private readonly byHook = new Map<string, HookEntry>();
  private readonly admitScript: Script;
  private readonly admitAndClaimScript: Script;

  constructor(
    private readonly client: RedisClient,
    private readonly keys: RedisKeyspace,
  ) {
    this.admitScript = defineScript(client, 'hookguardAdmit', 'variable', ADMIT_LUA);
    this.admitAndClaimScript = defineScript(client, 'hookguardAdmitAndClaim', 'variable', ADMIT_AND_CLAIM_LUA);
  }

  /**
   * admit, then the replay claim of `replayKey` when admitted: one round trip. The settles given
   * (queued settles of this hook, keys and arguments as settlesFirstLua) are applied first.
   */
  async admitAndClaim(
    limits: HookLimits,
    source: string,
    replayKey: string,
    claimToken: string,
    inFlightSeconds: number,
    settleKeys: readonly string[] = NONE,
    settleArgs: readonly (string | number)[] = NONE,
  ): Promise<{ decision: AdmitDecision; claim?: ClaimResult }> {
    const entry = this.entryOf(limits);
    const reply = await this.admitAndClaimScript(
      [this.keys.lockout(limits.hook, source), this.keys.perSource(limits.hook, source), entry.perHookKey, replayKey, ...settleKeys],
      [...entry.admitArgs, claimToken, inFlightSeconds, ...settleArgs],
    );
    const decision = admitDecisionOf(reply);
    if (!decision.ok) return { decision };
    const code = (reply as unknown[])[1];
    const claim = typeof code === 'number' ? CLAIMS[code] : undefined;
    if (claim === undefined) throw new TypeError(`admit-and-claim script: unexpected reply ${JSON.stringify(reply)}`);
    return { decision, claim };
  }

  /** The settles given are applied first, as in admitAndClaim. */
  async admit(limits: HookLimits, source: string, settleKeys: readonly string[] = NONE, settleArgs: readonly (string | number)[] = NONE): Promise<AdmitDecision> {
    const entry = this.entryOf(limits);
    const keys = [this.keys.lockout(limits.hook, source), this.keys.perSource(limits.hook, source), entry.perHookKey, ...settleKeys];
    const reply = await this.admitScript(keys, settleArgs.length === 0 ? entry.admitArgs : [...entry.admitArgs, ...settleArgs]);
    return admitDecisionOf(reply);
  }

  async recordAuthFailure(limits: HookLimits, source: string): Promise<AuthFailureResult> {
    const { lockout } = this.entryOf(limits);
    if (!lockout || !limits.lockout) return OFF;
    try {
      const res = await lockout.consume(source);
      if (res.consumedPoints === limits.lockout.failures) {
        // The failures-th failure starts the block; the window's own expiry would be too short.
        await lockout.block(source, limits.lockout.blockSeconds);
        return LOCKED_NOW;
      }
      return COUNTED;
    } catch (error) {
      // Over `failures`: already locked out. Only a RateLimiterRes says so; an Error is Redis failing.
      if (error instanceof RateLimiterRes) return { state: 'locked_before', retryAfterSeconds: retryAfterSeconds(error.msBeforeNext) };
      throw error;
    }
  }

  private entryOf(limits: HookLimits): HookEntry {
    const existing = this.byHook.get(limits.hook);
    // A reload may hand in new limits under the same hook name: rebuild then.
    if (existing && existing.limits === limits) return existing;
    const created: HookEntry = {
      limits,
      perHookKey: this.keys.perHook(limits.hook),
      admitArgs: [
        limits.lockout?.failures ?? 0,
        limits.perSource?.points ?? 0,
        limits.perSource?.durationSeconds ?? 0,
        limits.perHook?.points ?? 0,
        limits.perHook?.durationSeconds ?? 0,
      ],
      ...(limits.lockout
        ? {
            lockout: new RateLimiterRedis({
              storeClient: this.client,
              keyPrefix: this.keys.lockoutPrefix(limits.hook),
              points: limits.lockout.failures,
              duration: limits.lockout.windowSeconds,
              // Fail at once while disconnected instead of sending into a closed socket.
              rejectIfRedisNotReady: true,
            }),
          }
        : {}),
    };
    this.byHook.set(limits.hook, created);
    return created;
  }
}
