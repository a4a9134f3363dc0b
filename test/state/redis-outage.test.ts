import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AdmitDecision, ClaimResult, HookLimits, StateStore } from '../../src/state/store.js';
import type { GatewayMetrics } from '../../src/observability/gateway-metrics.js';
import { createRedisClient } from '../../src/state/redis/create-redis-client.js';
import { createRedisStore, UNAVAILABLE_RETRY_AFTER_SECONDS } from '../../src/state/redis/create-redis-store.js';
import { RedisUnavailableError } from '../../src/state/redis/redis-unavailable-error.js';
import { startRedisServer, waitFor, type RedisServer } from '../helpers/redis-harness.js';
import { captureLogger, metricValue, ready, redisConfig, sleep, testMetrics, timed, uniquePrefix } from './support.js';

/**
 * Redis killed (or hung) under traffic, then back: no request waits on it for long, `onError`
 * decides every answer, nothing is ever a 429 because of it, and the same store instances recover.
 */

// A correctness bound, not a benchmark: far above commandTimeout (250 ms), far below any provider's timeout.
const BOUND_MS = 1_000;

interface Replica {
  readonly store: StateStore;
  readonly metrics: GatewayMetrics;
  readonly lines: Array<Record<string, unknown>>;
}

let server: RedisServer;
let open: Replica;
let closed: Replica;
const prefix = uniquePrefix();
// Generous limits: any refusal in this file can only come from the outage handling.
const limits: HookLimits = { hook: 'outage', perSource: { points: 100_000, durationSeconds: 60 }, perHook: { points: 100_000, durationSeconds: 60 }, lockout: { failures: 3, windowSeconds: 60, blockSeconds: 60 } };

async function replicaWith(onError: 'open' | 'closed'): Promise<Replica> {
  const config = redisConfig({ mode: 'url', url: server.url }, { onError, prefix });
  const metrics = testMetrics(['outage']);
  const { logger, lines } = captureLogger();
  const client = await ready(createRedisClient(config));
  return { store: createRedisStore({ client, config, logger, metrics }), metrics, lines };
}

before(async () => {
  server = await startRedisServer();
  open = await replicaWith('open');
  closed = await replicaWith('closed');
});

after(async () => {
  await open?.store.close();
  await closed?.store.close();
  await server?.kill();
});

interface Traffic {
  readonly admits: AdmitDecision[];
  readonly claims: ClaimResult[];
  readonly slowest: number;
}

let deliveryCounter = 0;

/** One sidecar's traffic for `ms`: admit, claim and settle each delivery, every few ms. */
async function traffic(store: StateStore, ms: number): Promise<Traffic> {
  const admits: AdmitDecision[] = [];
  const claims: ClaimResult[] = [];
  let slowest = 0;
  const end = Date.now() + ms;
  while (Date.now() < end) {
    const id = `delivery-${++deliveryCounter}`;
    const admit = await timed(() => store.admit(limits, '192.0.2.10'));
    admits.push(admit.value);
    const claim = await timed(() => store.claimDelivery('outage', id, 30));
    claims.push(claim.value);
    let settleMs = 0;
    if (claim.value === 'claimed') settleMs = (await timed(() => store.settleDelivery('outage', id, true, 60).catch(() => undefined))).ms;
    slowest = Math.max(slowest, admit.ms, claim.ms, settleMs);
    await sleep(5);
  }
  return { admits, claims, slowest };
}

const reasons = (admits: readonly AdmitDecision[]) => new Set(admits.map((d) => (d.ok ? 'ok' : d.reason)));

describe('Redis outage', () => {
  it('Redis killed mid-traffic: open keeps admitting and claiming, closed answers unavailable with Retry-After; nobody waits, nothing is a 429', async () => {
    const during = Promise.all([traffic(open.store, 1_200), traffic(closed.store, 1_200)]);
    await sleep(300);
    await server.kill();
    const [openTraffic, closedTraffic] = await during;

    assert.ok(openTraffic.slowest < BOUND_MS, `open: slowest call ${openTraffic.slowest} ms`);
    assert.ok(closedTraffic.slowest < BOUND_MS, `closed: slowest call ${closedTraffic.slowest} ms`);
    assert.deepEqual(reasons(openTraffic.admits), new Set(['ok']), 'open never refuses');
    assert.deepEqual(new Set(openTraffic.claims), new Set(['claimed']), 'open never refuses a new delivery');
    assert.deepEqual(reasons(closedTraffic.admits), new Set(['ok', 'unavailable']), 'closed: ok before the kill, unavailable after');
    assert.ok(closedTraffic.claims.includes('unavailable'));
    for (const decision of closedTraffic.admits) if (!decision.ok) assert.equal(decision.retryAfterSeconds, UNAVAILABLE_RETRY_AFTER_SECONDS);
  });

  it('while Redis is down: redis_up is 0, readiness follows onError, one log line for the outage', async () => {
    assert.equal(await metricValue(open.metrics, 'redisUp'), 0);
    assert.equal(await metricValue(closed.metrics, 'redisUp'), 0);
    assert.equal(open.store.isReady(), true);
    assert.equal(closed.store.isReady(), false);
    assert.equal(closed.lines.filter((line) => line.event === 'redis_down').length, 1);
  });

  it('while Redis is down: open counts failed authentications in memory and locks out there; closed says it could not count', async () => {
    const lockout: HookLimits = { hook: 'outage-lockout', lockout: { failures: 2, windowSeconds: 60, blockSeconds: 60 } };
    assert.equal((await open.store.recordAuthFailure(lockout, '198.51.100.1')).state, 'counted');
    assert.equal((await open.store.recordAuthFailure(lockout, '198.51.100.1')).state, 'locked_now');
    const decision = await open.store.admit(lockout, '198.51.100.1');
    assert.equal(decision.ok ? 'ok' : decision.reason, 'locked_out');
    await assert.rejects(closed.store.recordAuthFailure(lockout, '198.51.100.1'), RedisUnavailableError);
  });

  it('Redis back on the same port: both stores recover by themselves, with the same instances', async () => {
    await server.start();
    await waitFor('the closed store to admit again', async () => (await closed.store.admit(limits, '192.0.2.11')).ok, 10_000, 100);
    assert.equal(closed.store.isReady(), true);
    assert.equal(await metricValue(closed.metrics, 'redisUp'), 1);
    await waitFor('the open store to reconnect', () => metricValue(open.metrics, 'redisUp').then((v) => v === 1));
    assert.equal(closed.lines.filter((line) => line.event === 'redis_up').length, 1);

    // Back on Redis, so shared again: a claim by one is seen by the other.
    assert.equal(await open.store.claimDelivery('outage', 'after-recovery', 30), 'claimed');
    assert.equal(await closed.store.claimDelivery('outage', 'after-recovery', 30), 'in_flight');
    assert.equal(await server.cli('exists', `${prefix}:{outage}:replay:after-recovery`), '1');
  });

  it('Redis hung (connected, not answering): every call still returns within the bound, then recovers', async () => {
    server.pause();
    try {
      const [openTraffic, closedTraffic] = await Promise.all([traffic(open.store, 700), traffic(closed.store, 700)]);
      assert.ok(openTraffic.slowest < BOUND_MS, `open: slowest call ${openTraffic.slowest} ms`);
      assert.ok(closedTraffic.slowest < BOUND_MS, `closed: slowest call ${closedTraffic.slowest} ms`);
      assert.deepEqual(reasons(openTraffic.admits), new Set(['ok']));
      assert.deepEqual(reasons(closedTraffic.admits), new Set(['unavailable']));
    } finally {
      server.resume();
    }
    await waitFor('the closed store to admit again', async () => (await closed.store.admit(limits, '192.0.2.12')).ok, 10_000, 100);
  });
});
