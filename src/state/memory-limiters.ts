import { RateLimiterMemory, RateLimiterRes } from 'rate-limiter-flexible';
import type { AdmitDecision, AuthFailureResult, HookLimits } from './store.js';
import { retryAfterSeconds } from './retry-after.js';

interface HookLimiters {
  readonly limits: HookLimits;
  readonly perSource?: RateLimiterMemory;
  readonly perHook?: RateLimiterMemory;
  readonly lockout?: RateLimiterMemory;
}

const ADMITTED: AdmitDecision = Object.freeze({ ok: true });
const OFF: AuthFailureResult = Object.freeze({ state: 'off' });
const COUNTED: AuthFailureResult = Object.freeze({ state: 'counted' });
const LOCKED_NOW: AuthFailureResult = Object.freeze({ state: 'locked_now' });

/**
 * Rate limits and lockout of one replica, with rate-limiter-flexible's memory limiters. Used as the
 * state of a single replica, and as the stand-in when Redis is down in `onError: open`.
 */
export class MemoryLimiters {
  private readonly byHook = new Map<string, HookLimiters>();

  async admit(limits: HookLimits, source: string): Promise<AdmitDecision> {
    const limiters = this.limitersOf(limits);
    const sourceKey = `${limits.hook}|${source}`;
    if (limiters.lockout && limits.lockout) {
      const state = await limiters.lockout.get(sourceKey);
      if (state && state.consumedPoints >= limits.lockout.failures) {
        return { ok: false, reason: 'locked_out', retryAfterSeconds: retryAfterSeconds(state.msBeforeNext) };
      }
    }
    if (limiters.perSource) {
      const refused = await consume(limiters.perSource, sourceKey);
      if (refused) return refused;
    }
    if (limiters.perHook) {
      const refused = await consume(limiters.perHook, limits.hook);
      if (refused) return refused;
    }
    return ADMITTED;
  }

  async recordAuthFailure(limits: HookLimits, source: string): Promise<AuthFailureResult> {
    const limiters = this.limitersOf(limits);
    if (!limiters.lockout || !limits.lockout) return OFF;
    const key = `${limits.hook}|${source}`;
    try {
      const res = await limiters.lockout.consume(key);
      if (res.consumedPoints > limits.lockout.failures) {
        return { state: 'locked_before', retryAfterSeconds: retryAfterSeconds(res.msBeforeNext) };
      }
      if (res.consumedPoints === limits.lockout.failures) {
        // The failures-th failure starts the block; the window's own expiry would be too short.
        await limiters.lockout.block(key, limits.lockout.blockSeconds);
        return LOCKED_NOW;
      }
      return COUNTED;
    } catch (error) {
      if (error instanceof RateLimiterRes) return { state: 'locked_before', retryAfterSeconds: retryAfterSeconds(error.msBeforeNext) };
      throw error;
    }
  }

  private limitersOf(limits: HookLimits): HookLimiters {
    const existing = this.byHook.get(limits.hook);
    // A reload may hand in new limits under the same hook name: rebuild the limiters then.
    if (existing && existing.limits === limits) return existing;
    const created: HookLimiters = {
      limits,
      ...(limits.perSource ? { perSource: new RateLimiterMemory({ points: limits.perSource.points, duration: limits.perSource.durationSeconds }) } : {}),
      ...(limits.perHook ? { perHook: new RateLimiterMemory({ points: limits.perHook.points, duration: limits.perHook.durationSeconds }) } : {}),
      ...(limits.lockout ? { lockout: new RateLimiterMemory({ points: limits.lockout.failures, duration: limits.lockout.windowSeconds }) } : {}),
    };
    this.byHook.set(limits.hook, created);
    return created;
  }
}

/**
 * Consumes a point. rate-limiter-flexible rejects with a RateLimiterRes when over the limit and with
 * an Error when its store fails: only the first is a 429. The memory store cannot fail, so an Error
 * here is a bug and propagates.
 */
async function consume(limiter: RateLimiterMemory, key: string): Promise<AdmitDecision | undefined> {
  try {
    await limiter.consume(key);
    return undefined;
  } catch (error) {
    if (error instanceof RateLimiterRes) return { ok: false, reason: 'rate_limited', retryAfterSeconds: retryAfterSeconds(error.msBeforeNext) };
    throw error;
  }
}
