import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { AdmitDecision, AuthFailureResult, HookLimits, StateStore } from '../../src/state/store.js';
import { createMemoryStore } from '../../src/state/memory-store.js';
import { createRedisClient } from '../../src/state/redis/create-redis-client.js';
import { createRedisStore } from '../../src/state/redis/create-redis-store.js';
import { freePort, startRedisServer, type RedisServer } from '../helpers/redis-harness.js';
import { quietLogger, ready, redisConfig, sleep } from './support.js';

/**
 * One table of limiter and replay semantics, run against every store: memory (one replica), Redis,
 * and Redis that is down with onError: open (the memory stand-in). The same steps must give the
 * same answers everywhere; that is what "the Redis store behaves like the memory store" means.
 */

type Step =
  | { readonly admit: string; readonly expect: 'ok' | Exclude<AdmitDecision, { ok: true }>['reason']; readonly retryAfter?: readonly [number, number] }
  | { readonly fail: string; readonly expect: AuthFailureResult['state']; readonly retryAfter?: readonly [number, number] }
  | { readonly waitMs: number };

interface LimiterCase {
  readonly name: string;
  readonly limits: Omit<HookLimits, 'hook'>;
  readonly steps: readonly Step[];
}

const LIMITER_CASES: readonly LimiterCase[] = [
  {
    name: 'per source: `points` requests pass, the next one is rate limited with Retry-After within the window; another source is not',
    limits: { perSource: { points: 3, durationSeconds: 60 } },
    steps: [
      { admit: 'a', expect: 'ok' },
      { admit: 'a', expect: 'ok' },
      { admit: 'a', expect: 'ok' },
      { admit: 'a', expect: 'rate_limited', retryAfter: [55, 60] },
      { admit: 'b', expect: 'ok' },
    ],
  },
  {
    name: 'per hook: every source counts against one window',
    limits: { perHook: { points: 3, durationSeconds: 60 } },
    steps: [
      { admit: 'a', expect: 'ok' },
      { admit: 'b', expect: 'ok' },
      { admit: 'c', expect: 'ok' },
      { admit: 'd', expect: 'rate_limited', retryAfter: [55, 60] },
    ],
  },
  {
    name: 'a request refused per source takes no point from the hook',
    limits: { perSource: { points: 1, durationSeconds: 60 }, perHook: { points: 2, durationSeconds: 60 } },
    steps: [
      { admit: 'a', expect: 'ok' },
      { admit: 'a', expect: 'rate_limited' },
      { admit: 'b', expect: 'ok' },
      { admit: 'c', expect: 'rate_limited' },
    ],
  },
  {
    name: 'a window that ends gives its points back',
    limits: { perSource: { points: 1, durationSeconds: 1 } },
    steps: [
      { admit: 'a', expect: 'ok' },
      { admit: 'a', expect: 'rate_limited', retryAfter: [1, 1] },
      { waitMs: 1_100 },
      { admit: 'a', expect: 'ok' },
    ],
  },
  {
    name: 'lockout: the failures-th failure locks the source out for blockSeconds; later failures are locked_before',
    limits: { lockout: { failures: 3, windowSeconds: 600, blockSeconds: 120 } },
    steps: [
      { fail: 'a', expect: 'counted' },
      { fail: 'a', expect: 'counted' },
      { admit: 'a', expect: 'ok' },
      { fail: 'a', expect: 'locked_now' },
      { admit: 'a', expect: 'locked_out', retryAfter: [115, 120] },
      { admit: 'b', expect: 'ok' },
      { fail: 'a', expect: 'locked_before', retryAfter: [115, 120] },
      { fail: 'b', expect: 'counted' },
    ],
  },
  {
    name: 'a locked-out source spends no rate points of the hook',
    limits: { lockout: { failures: 1, windowSeconds: 600, blockSeconds: 60 }, perHook: { points: 1, durationSeconds: 60 } },
    steps: [
      { fail: 'a', expect: 'locked_now' },
      { admit: 'a', expect: 'locked_out' },
      { admit: 'a', expect: 'locked_out' },
      { admit: 'b', expect: 'ok' },
      { admit: 'c', expect: 'rate_limited' },
    ],
  },
  {
    name: 'failures older than the window no longer count',
    limits: { lockout: { failures: 2, windowSeconds: 1, blockSeconds: 60 } },
    steps: [
      { fail: 'a', expect: 'counted' },
      { waitMs: 1_100 },
      { fail: 'a', expect: 'counted' },
      { fail: 'a', expect: 'locked_now' },
    ],
  },
  {
    name: 'lockout: false counts nothing and locks nobody out',
    limits: {},
    steps: [
      { fail: 'a', expect: 'off' },
      { fail: 'a', expect: 'off' },
      { admit: 'a', expect: 'ok' },
    ],
  },
];

interface Target {
  readonly name: string;
  store(): StateStore | Promise<StateStore>;
}

let server: RedisServer;
let deadPort: number;
const stores: StateStore[] = [];

async function redisStore(url: string, onError: 'open' | 'closed'): Promise<StateStore> {
  const config = redisConfig({ mode: 'url', url }, { onError });
  const client = createRedisClient(config);
  const store = createRedisStore({ client, config, logger: quietLogger() });
  stores.push(store);
  if (onError === 'closed') await ready(client);
  return store;
}

const TARGETS: readonly Target[] = [
  { name: 'memory store', store: () => createMemoryStore() },
  { name: 'Redis store', store: () => redisStore(server.url, 'closed') },
  { name: 'Redis store with Redis down (onError: open)', store: () => redisStore(`redis://127.0.0.1:${deadPort}`, 'open') },
];

before(async () => {
  server = await startRedisServer();
  deadPort = await freePort();
});

after(async () => {
  await Promise.all(stores.map((store) => store.close()));
  await server?.kill();
});

let hookCounter = 0;

async function runSteps(store: StateStore, testCase: LimiterCase): Promise<void> {
  const limits: HookLimits = { hook: `hook-${++hookCounter}`, ...testCase.limits };
  for (const [index, step] of testCase.steps.entries()) {
    if ('waitMs' in step) {
      await sleep(step.waitMs);
      continue;
    }
    const where = `step ${index + 1}`;
    if ('admit' in step) {
      const decision = await store.admit(limits, step.admit);
      assert.equal(decision.ok ? 'ok' : decision.reason, step.expect, where);
      if (step.retryAfter && !decision.ok) assertWithin(decision.retryAfterSeconds, step.retryAfter, where);
    } else {
      const result = await store.recordAuthFailure(limits, step.fail);
      assert.equal(result.state, step.expect, where);
      if (step.retryAfter && result.state === 'locked_before') assertWithin(result.retryAfterSeconds, step.retryAfter, where);
    }
  }
}

function assertWithin(value: number, [min, max]: readonly [number, number], where: string): void {
  assert.ok(Number.isInteger(value) && value >= min && value <= max, `${where}: Retry-After ${value} not in [${min}, ${max}]`);
}

// The stores run side by side: the table waits on real windows, once for all of them.
describe('state store semantics', { concurrency: true }, () => {
  for (const target of TARGETS) {
    describe(target.name, () => {
      for (const testCase of LIMITER_CASES) {
        it(testCase.name, async () => runSteps(await target.store(), testCase));
      }

      it('replay: a claimed id is in flight for others, done once accepted, free again once released', async () => {
        const store = await target.store();
        const hook = `replay-${++hookCounter}`;
        assert.equal(await store.claimDelivery(hook, 'd1', 30), 'claimed');
        assert.equal(await store.claimDelivery(hook, 'd1', 30), 'in_flight');
        await store.settleDelivery(hook, 'd1', true, 60);
        assert.equal(await store.claimDelivery(hook, 'd1', 30), 'done');

        assert.equal(await store.claimDelivery(hook, 'd2', 30), 'claimed');
        await store.settleDelivery(hook, 'd2', false, 60);
        assert.equal(await store.claimDelivery(hook, 'd2', 30), 'claimed');
        assert.equal(await store.claimDelivery('other-hook', 'd1', 30), 'claimed', 'ids are per hook');
      });

      it('replay: an in-flight claim lapses by itself, and so does a done record after its TTL', async () => {
        const store = await target.store();
        const hook = `replay-${++hookCounter}`;
        assert.equal(await store.claimDelivery(hook, 'lapse', 1), 'claimed');
        assert.equal(await store.claimDelivery(hook, 'done', 30), 'claimed');
        await store.settleDelivery(hook, 'done', true, 1);
        await sleep(1_100);
        assert.equal(await store.claimDelivery(hook, 'lapse', 30), 'claimed');
        assert.equal(await store.claimDelivery(hook, 'done', 30), 'claimed');
      });

      it('is ready', async () => {
        assert.equal((await target.store()).isReady(), true);
      });
    });
  }
});
