import type { Logger } from 'pino';
import type { RedisConfig } from '../../config/types.js';
import type { GatewayMetrics } from '../../observability/gateway-metrics.js';
import type { AdmitDecision, AuthFailureResult, ClaimResult, DeliveryClaim, HookLimits, StateStore } from '../store.js';
import type { RedisClient } from './create-redis-client.js';
import { MemoryLimiters } from '../memory-limiters.js';
import { MemoryReplayLog } from '../memory-replay-log.js';
import { RedisKeyspace } from './redis-keyspace.js';
import { RedisLimiters, type AdmitEntry } from './redis-limiters.js';
import { admitAndClaimOf, admitDecisionOf } from './admit-script.js';
import { CallGatherer } from './call-gatherer.js';
import { RedisReplayLog } from './redis-replay-log.js';
import { trackRedisHealth } from './track-redis-health.js';
import { RedisUnavailableError } from './redis-unavailable-error.js';
import { disconnectRedis } from './disconnect-redis.js';
import { SETTLE_BATCH_MAX, SETTLE_DELAY_MS, SettleBatcher, settleTtlSeconds, type SettleOutcome } from './settle-batcher.js';

export interface RedisStoreDeps {
  /** Owned by the store: `close()` disconnects it. */
  readonly client: RedisClient;
  readonly config: RedisConfig;
  readonly logger: Logger;
  readonly metrics?: Pick<GatewayMetrics, 'redisUp'>;
  /** Bound of the memory replay log that stands in during an outage (onError: open). */
  readonly maxReplayEntries?: number;
  /** How long a settle waits for another script of its hook to carry it (settle-batcher.ts). */
  readonly settleDelayMs?: number;
  /** The most settles one script carries; a queue this long is written at once. */
  readonly settleBatchMax?: number;
  /** The most deliveries one admit script carries (call-gatherer.ts). */
  readonly admitBatchMax?: number;
}

/** Retry-After of a 503 while Redis is away: a few reconnection attempts (capped at 2 s each). */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;
const ADMITTED: AdmitDecision = Object.freeze({ ok: true });
const OFF: AuthFailureResult = Object.freeze({ state: 'off' });
const UNAVAILABLE: AdmitDecision = Object.freeze({ ok: false, reason: 'unavailable', retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS });
/**
 * The most deliveries one admit script carries: 64 deliveries are 256 keys and about 450 arguments,
 * far below any Redis limit, and a script that stays short (some 5 commands per delivery) so that
 * it holds Redis no longer than a few hundred microseconds.
 */
export const ADMIT_BATCH_MAX = 64;
/** At most one log line per this interval about failing Redis commands, however many fail. */
const FAILURE_LOG_INTERVAL_MS = 10_000;

interface Claim {
  /** The random owner token written in Redis; settle releases only a claim that still holds it. */
  readonly token: string;
  readonly where: 'redis' | 'memory';
}

/**
 * The state store shared by every replica, in Redis.
 *
 * While Redis is away (disconnected: no command is even tried; or a command fails or times out),
 * `onError` decides. `open`: this replica's memory stands in (MemoryLimiters are
 * rate-limiter-flexible's RateLimiterMemory, the class it offers as insurance limiter, plus a memory
 * replay log), so correctly signed deliveries keep flowing under per-replica limits. `closed`: admit
 * answers `unavailable` (503 with Retry-After) and so does a claim. An outage is never a 429.
 *
 * Not rate-limiter-flexible's `insuranceLimiter` option: admit runs as one script of ours, so the
 * stand-in has to cover it too, and it must see the lockout counts that recordAuthFailure made
 * during the outage; one MemoryLimiters does both. Closed mode also needs the Error itself.
 *
 * Admissions are gathered: while an admit script of a queue is out, the deliveries that arrive are
 * sent together in the next one (call-gatherer.ts), so a burst costs one round trip, not one each.
 *
 * Settles are not sent on their own: they are queued (per hook on Cluster, all together otherwise) and
 * carried by the next script that may touch their keys
 * (admit, admitAndClaim, claimDelivery apply them first, in the same EVALSHA), or written as one
 * batch after `settleDelayMs` without such a script, so an accepted delivery costs one round trip
 * (settle-batcher.ts has the trade-off). A settle whose script fails, or that finds Redis down, takes
 * the path a failed settle always took: the memory stand-in in onError: open, an error in closed.
 */
export function createRedisStore(deps: RedisStoreDeps): StateStore {
  const { client, config, logger } = deps;
  const keys = new RedisKeyspace(config.prefix);
  const limiters = new RedisLimiters(client, keys);
  const replay = new RedisReplayLog(client, keys);
  const health = trackRedisHealth(client, { logger, role: 'state', ...(deps.metrics ? { redisUp: deps.metrics.redisUp } : {}) });
  const standIn = config.onError === 'open' ? { limiters: new MemoryLimiters(), replay: new MemoryReplayLog(deps.maxReplayEntries) } : undefined;
  // Claims made by this replica and not yet settled; settle removes them (deduplicate always settles).
  const claims = new Map<string, Claim>();
  // One queue per hook on Cluster, where a script may only touch the keys of one slot (the hook's
  // hash tag). On one Redis or Sentinel any script can carry any hook's settles, so they share one
  // queue: with many hooks each seeing a few deliveries a second, a settle still rides on the next
  // delivery of whichever hook comes next instead of waiting for its own hook's timer.
  const queueOf = config.mode === 'cluster' ? (hook: string): string => hook : (): string => '';
  const settles = new SettleBatcher({
    isUp: () => health.isUp(),
    send: (settleKeys, settleArgs) => replay.settleBatch(settleKeys, settleArgs),
    delayMs: deps.settleDelayMs ?? SETTLE_DELAY_MS,
    maxBatch: Math.max(1, deps.settleBatchMax ?? SETTLE_BATCH_MAX),
  });
  // Admissions gathered while a script of their queue is out, sent together with the queue's
  // settles (call-gatherer.ts); the same queues as the settles, for the same reason.
  const admits = new CallGatherer<AdmitEntry, unknown>({
    run: (queueName, entries) => settles.carry(queueName, (settleKeys, settleArgs) => limiters.admitBatch(entries, settleKeys, settleArgs)),
    maxBatch: Math.max(1, deps.admitBatchMax ?? ADMIT_BATCH_MAX),
  });

  let lastFailureLog = 0;
  let failuresSinceLog = 0;
  const noteFailure = (operation: string, error: unknown): void => {
    failuresSinceLog++;
    const now = Date.now();
    if (now - lastFailureLog < FAILURE_LOG_INTERVAL_MS) return;
    logger.warn({ event: 'state_error', operation, err: error, failures: failuresSinceLog, onError: config.onError }, 'Redis command failed: onError decides');
    lastFailureLog = now;
    failuresSinceLog = 0;
  };

  let closed: Promise<void> | undefined;
  return {
    kind: 'redis',

    async admit(limits: HookLimits, source: string): Promise<AdmitDecision> {
      // A hook without limits and lockout needs no Redis, even in an outage.
      if (!limits.perSource && !limits.perHook && !limits.lockout) return ADMITTED;
      if (health.isUp()) {
        try {
          return admitDecisionOf(await admits.submit(queueOf(limits.hook), limiters.admitEntry(limits, source)));
        } catch (error) {
          noteFailure('admit', error);
        }
      }
      return standIn ? standIn.limiters.admit(limits, source) : UNAVAILABLE;
    },

    async admitAndClaim(limits: HookLimits, source: string, request: DeliveryClaim): Promise<{ decision: AdmitDecision; claim?: ClaimResult }> {
      const key = claimKey(request.hook, request.deliveryId);
      if (health.isUp()) {
        const token = RedisReplayLog.newClaimToken();
        try {
          const replayKey = keys.replay(request.hook, request.deliveryId);
          const result = admitAndClaimOf(await admits.submit(queueOf(limits.hook), limiters.admitAndClaimEntry(limits, source, replayKey, token, request.inFlightSeconds)));
          if (result.claim === 'claimed') claims.set(key, { token, where: 'redis' });
          return result;
        } catch (error) {
          noteFailure('admitAndClaim', error);
        }
      }
      if (!standIn) return { decision: UNAVAILABLE };
      const decision = await standIn.limiters.admit(limits, source);
      if (!decision.ok) return { decision };
      const claim = standIn.replay.claim(key, request.inFlightSeconds);
      if (claim === 'claimed') claims.set(key, { token: '', where: 'memory' });
      return { decision, claim };
    },

    async recordAuthFailure(limits: HookLimits, source: string): Promise<AuthFailureResult> {
      if (!limits.lockout) return OFF;
      if (health.isUp()) {
        try {
          return await limiters.recordAuthFailure(limits, source);
        } catch (error) {
          noteFailure('recordAuthFailure', error);
          if (!standIn) throw error;
        }
      }
      if (!standIn) throw new RedisUnavailableError('recordAuthFailure');
      return standIn.limiters.recordAuthFailure(limits, source);
    },

    async claimDelivery(hook: string, deliveryId: string, inFlightSeconds: number): Promise<ClaimResult> {
      const key = claimKey(hook, deliveryId);
      if (health.isUp()) {
        const token = RedisReplayLog.newClaimToken();
        try {
          const result = await settles.carry(queueOf(hook), (settleKeys, settleArgs) => replay.claim(hook, deliveryId, token, inFlightSeconds, settleKeys, settleArgs));
          if (result === 'claimed') claims.set(key, { token, where: 'redis' });
          return result;
        } catch (error) {
          noteFailure('claimDelivery', error);
        }
      }
      if (!standIn) return 'unavailable';
      const result = standIn.replay.claim(key, inFlightSeconds);
      if (result === 'claimed') claims.set(key, { token: '', where: 'memory' });
      return result;
    },

    settleDelivery(hook: string, deliveryId: string, accepted: boolean, ttlSeconds: number): Promise<void> {
      const key = claimKey(hook, deliveryId);
      const claim = claims.get(key);
      claims.delete(key);
      const inMemory = claim?.where === 'memory';
      if (inMemory) {
        standIn?.replay.settle(key, accepted, ttlSeconds);
        // Redis came back while the app had it: let every replica know it was accepted.
        if (!accepted || !health.isUp()) return Promise.resolve();
      }
      return new Promise<void>((resolve, reject) => {
        // What a settle that Redis did not take means; the same whether it was alone or carried.
        const finish = (outcome: SettleOutcome): void => {
          if (outcome.ok) return resolve();
          if (outcome.sent) {
            noteFailure('settleDelivery', outcome.error);
            if (!standIn) return reject(outcome.error);
          }
          // The Redis claim lapses by itself after its in-flight time; remember here what we can.
          if (!standIn) return reject(new RedisUnavailableError('settleDelivery'));
          if (!inMemory) standIn.replay.settle(key, accepted, ttlSeconds);
          resolve();
        };
        if (!health.isUp()) return finish({ ok: false, sent: false });
        settles.add(queueOf(hook), { key: keys.replay(hook, deliveryId), token: claim?.token ?? '', accepted, ttlSeconds: settleTtlSeconds(ttlSeconds), finish });
      });
    },

    isReady: () => standIn !== undefined || health.isUp(),

    close: () =>
      (closed ??= (async () => {
        // Every queued settle is written (or takes its fallback) before the connection goes.
        await settles.close();
        health.stop();
        await disconnectRedis(client);
      })()),
  };
}

function claimKey(hook: string, deliveryId: string): string {
  return `${hook}\u0000${deliveryId}`;
}
