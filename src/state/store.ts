/**
 * The state every replica of a hook should share: rate limits, brute-force lockout and replay
 * records. One interface, two implementations: memory (one replica, the default) and Redis (shared).
 *
 * Expected negatives are values. A store that cannot reach its backend answers `unavailable`
 * (or stands in with memory, in `onError: open`); it never turns an outage into a 429.
 */

export interface RateWindow {
  readonly points: number;
  readonly durationSeconds: number;
}

export interface LockoutPolicy {
  readonly failures: number;
  readonly windowSeconds: number;
  readonly blockSeconds: number;
}

/** The per-hook limits a store enforces; built once from config. */
export interface HookLimits {
  readonly hook: string;
  readonly perSource?: RateWindow;
  readonly perHook?: RateWindow;
  /** undefined: lockout off (`lockout: false`). */
  readonly lockout?: LockoutPolicy;
}

export type AdmitDecision =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly reason: 'rate_limited' | 'locked_out' | 'unavailable';
      /** Whole seconds, at least 1: the value of Retry-After. */
      readonly retryAfterSeconds: number;
    };

export interface DeliveryClaim {
  readonly hook: string;
  readonly deliveryId: string;
  readonly inFlightSeconds: number;
}

export type AuthFailureResult =
  | { readonly state: 'counted' | 'locked_now' | 'off' }
  | { readonly state: 'locked_before'; readonly retryAfterSeconds: number };

export type ClaimResult =
  /** Nobody has this delivery: it is now in flight, owned by the caller, who must `settle` it. */
  | 'claimed'
  /** Another request holds it right now: 409. */
  | 'in_flight'
  /** The app already accepted it: 200 with Hookguard-Duplicate. */
  | 'done'
  /** The store could not answer and `onError: closed`: 503. */
  | 'unavailable';

export interface StateStore {
  /** `memory` or `redis`: for logs and readiness. */
  readonly kind: 'memory' | 'redis';

  /**
   * Before the body is read: is `source` locked out of the hook, and does this request fit the
   * per-source and per-hook windows? Consumes one point of each window when admitted.
   */
  admit(limits: HookLimits, source: string): Promise<AdmitDecision>;

  /**
   * `admit`, and when admitted, `claimDelivery` too, in one round trip where the store can (the
   * delivery id is in the headers, so it is known before the body). `claim` is absent when the
   * request was not admitted (nothing was claimed).
   */
  admitAndClaim(limits: HookLimits, source: string, claim: DeliveryClaim): Promise<{ readonly decision: AdmitDecision; readonly claim?: ClaimResult }>;

  /**
   * Counts a failed authentication (URL token, signature, timestamp, browser origin) of `source`
   * against the hook. `locked_now`: this failure reached the threshold, so the source is refused by
   * `admit` until the block ends (this request still gets its own answer); `locked_before`: the
   * source was already locked out (answer 429).
   */
  recordAuthFailure(limits: HookLimits, source: string): Promise<AuthFailureResult>;

  /**
   * Replay protection. Claims `deliveryId` for the hook. An in-flight claim expires after
   * `inFlightSeconds` by itself, so a crashed replica never blocks the provider's retry for long.
   */
  claimDelivery(hook: string, deliveryId: string, inFlightSeconds: number): Promise<ClaimResult>;

  /**
   * Ends a claim: `accepted` (the app answered 2xx) records the id as done for `ttlSeconds`;
   * otherwise the claim is released so that the provider's retry goes through.
   *
   * Callers need not await it (the answer should not wait on it). The Redis store queues settles and
   * writes them with the hook's next script, or alone after a few milliseconds (settle-batcher.ts):
   * the promise resolves or rejects once its batch has run. A later claim of the same id through the
   * same store always sees the settle.
   */
  settleDelivery(hook: string, deliveryId: string, accepted: boolean, ttlSeconds: number): Promise<void>;

  /** True while the store can serve requests in its configured mode (readiness). */
  isReady(): boolean;

  close(): Promise<void>;
}
