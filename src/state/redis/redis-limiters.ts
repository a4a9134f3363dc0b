import { RateLimiterRedis, RateLimiterRes } from 'rate-limiter-flexible';
import type { AuthFailureResult, HookLimits } from '../store.js';
import type { RedisClient } from './create-redis-client.js';
import type { RedisKeyspace } from './redis-keyspace.js';
import { retryAfterSeconds } from '../retry-after.js';
import { defineScript, type Script } from './define-script.js';
import { ADMIT_BATCH_LUA } from './admit-script.js';

interface HookEntry {
  readonly limits: HookLimits;
  readonly perHookKey: string;
  /** The per-request arguments that do not depend on the source, built once. */
  readonly admitArgs: readonly number[];
  readonly lockout?: RateLimiterRedis;
}

/** One delivery of an admit batch: its keys and its own arguments (admit-script.ts). */
export interface AdmitEntry {
  readonly keys: readonly string[];
  readonly args: readonly (string | number)[];
}

const OFF: AuthFailureResult = Object.freeze({ state: 'off' });
const COUNTED: AuthFailureResult = Object.freeze({ state: 'counted' });
const LOCKED_NOW: AuthFailureResult = Object.freeze({ state: 'locked_now' });

/**
 * Rate limits and lockout shared by every replica through Redis, with the semantics of
 * MemoryLimiters (the shared table in test/state proves it). Admission is one Lua script for a
 * batch of deliveries (one round trip, see admit-script.ts); failed authentications are counted by
 * rate-limiter-flexible's RateLimiterRedis, which writes the lockout counter the admit script reads.
 *
 * `admitBatch` and `recordAuthFailure` reject with the client's Error when Redis fails: the store
 * decides what an outage means (onError). An over-limit is never an exception here.
 */
export class RedisLimiters {
  private readonly byHook = new Map<string, HookEntry>();
  private readonly admitScript: Script;

  constructor(
    private readonly client: RedisClient,
    private readonly keys: RedisKeyspace,
  ) {
    this.admitScript = defineScript(client, 'hookguardAdmitBatch', 'variable', ADMIT_BATCH_LUA);
  }

  /** The batch entry of an admit; its reply reads with admitDecisionOf. */
  admitEntry(limits: HookLimits, source: string): AdmitEntry {
    const entry = this.entryOf(limits);
    return { keys: [this.keys.lockout(limits.hook, source), this.keys.perSource(limits.hook, source), entry.perHookKey], args: entry.admitArgs };
  }

  /** The batch entry of an admit followed, when admitted, by the replay claim of `replayKey`; its reply reads with admitAndClaimOf. */
  admitAndClaimEntry(limits: HookLimits, source: string, replayKey: string, claimToken: string, inFlightSeconds: number): AdmitEntry {
    const entry = this.entryOf(limits);
    const args = entry.admitArgs;
    return {
      keys: [this.keys.lockout(limits.hook, source), this.keys.perSource(limits.hook, source), entry.perHookKey, replayKey],
      args: [args[0]!, args[1]!, args[2]!, args[3]!, args[4]!, claimToken, inFlightSeconds],
    };
  }

  /**
   * Runs one admit script for `entries`, in order, after applying the settles given (queued settles,
   * keys and arguments as settlesFirstLua). Resolves to one raw reply per entry.
   */
  async admitBatch(entries: readonly AdmitEntry[], settleKeys: readonly string[], settleArgs: readonly (string | number)[]): Promise<readonly unknown[]> {
    let keyCount = settleKeys.length;
    let argCount = 1 + settleArgs.length;
    for (const entry of entries) {
      keyCount += entry.keys.length;
      argCount += 1 + entry.args.length;
    }
    const keys = new Array<string>(keyCount);
    const args = new Array<string | number>(argCount);
    args[0] = entries.length;
    let k = 0;
    let a = 1;
    for (const entry of entries) {
      for (const key of entry.keys) keys[k++] = key;
      args[a++] = entry.keys.length;
      for (const arg of entry.args) args[a++] = arg;
    }
    for (const key of settleKeys) keys[k++] = key;
    for (const arg of settleArgs) args[a++] = arg;
    const replies = await this.admitScript(keys, args);
    if (!Array.isArray(replies) || replies.length !== entries.length) throw new TypeError(`admit script: unexpected reply ${JSON.stringify(replies)}`);
    return replies;
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
