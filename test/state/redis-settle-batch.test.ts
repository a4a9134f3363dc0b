import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { RedisConfig } from '../../src/config/types.js';
import type { HookLimits, StateStore } from '../../src/state/store.js';
import { createRedisClient } from '../../src/state/redis/create-redis-client.js';
import { createRedisStore, type RedisStoreDeps } from '../../src/state/redis/create-redis-store.js';
import { RedisUnavailableError } from '../../src/state/redis/redis-unavailable-error.js';
import { SETTLE_DELAY_MS } from '../../src/state/redis/settle-batcher.js';
import { startRedisServer, waitFor, type RedisServer } from '../helpers/redis-harness.js';
import { callDelta, commandCalls, quietLogger, ready, redisConfig, sleep, uniquePrefix } from './support.js';

/**
 * Settles are queued per hook and carried by the hook's next script, or written by a timer: one
 * Redis round trip per accepted delivery. Real Redis; command counts from INFO commandstats.
 */

/** Long enough that no timer flush can happen during a test that does not want one. */
const NEVER_MS = 600_000;

let server: RedisServer;
let admin: Redis;
const stores: StateStore[] = [];

before(async () => {
  server = await startRedisServer();
  admin = new Redis({ host: '127.0.0.1', port: server.port, maxRetriesPerRequest: 0, retryStrategy: () => 100, enableOfflineQueue: false });
  await waitFor('the admin connection', () => admin.status === 'ready');
});

after(async () => {
  await Promise.all(stores.map((store) => store.close()));
  admin?.disconnect();
  await server?.kill();
});

interface Replica {
  readonly store: StateStore;
  readonly config: RedisConfig;
}

async function replica(options: { prefix: string; onError?: 'open' | 'closed' } & Pick<RedisStoreDeps, 'settleDelayMs' | 'settleBatchMax'>): Promise<Replica> {
  const config = redisConfig({ mode: 'url', url: server.url }, { onError: options.onError ?? 'closed', prefix: options.prefix });
  const client = await ready(createRedisClient(config));
  const store = createRedisStore({
    client,
    config,
    logger: quietLogger(),
    ...(options.settleDelayMs !== undefined ? { settleDelayMs: options.settleDelayMs } : {}),
    ...(options.settleBatchMax !== undefined ? { settleBatchMax: options.settleBatchMax } : {}),
  });
  stores.push(store);
  return { store, config };
}

const record = (prefix: string, hook: string, id: string): Promise<string | null> => admin.get(`${prefix}:{${hook}}:replay:${id}`);
const limitsOf = (hook: string): HookLimits => ({ hook, perSource: { points: 1_000, durationSeconds: 60 }, perHook: { points: 1_000, durationSeconds: 60 }, lockout: { failures: 5, windowSeconds: 60, blockSeconds: 60 } });
const claimOf = (hook: string, deliveryId: string) => ({ hook, deliveryId, inFlightSeconds: 30 });
const scripts = (delta: Map<string, number>): number => (delta.get('evalsha') ?? 0) + (delta.get('eval') ?? 0);

/** Resolves with 'settled' or 'pending' without waiting for a pending promise. */
async function state(promise: Promise<unknown>): Promise<'settled' | 'pending'> {
  const pending = Symbol('pending');
  const winner = await Promise.race([promise.then(() => 'settled' as const, () => 'settled' as const), new Promise<symbol>((resolve) => setImmediate(() => resolve(pending)))]);
  return winner === pending ? 'pending' : 'settled';
}

describe('settles carried by the next script of the hook', () => {
  it('an accepted settle rides on the next admit+claim of the same hook: one EVALSHA for both, and another replica then sees done', async () => {
    const prefix = uniquePrefix();
    const a = await replica({ prefix, settleDelayMs: NEVER_MS });
    const b = await replica({ prefix });
    const limits = limitsOf('gh');
    // Warm-up: the first call of a script on a connection is an EVAL.
    assert.equal((await a.store.admitAndClaim(limits, 's', claimOf('gh', 'warm'))).claim, 'claimed');
    assert.equal((await a.store.admitAndClaim(limits, 's', claimOf('gh', 'd1'))).claim, 'claimed');

    const settled = Promise.all([a.store.settleDelivery('gh', 'd1', true, 600), a.store.settleDelivery('gh', 'warm', false, 600)]);
    // Nothing was sent for the settles: queued (the promises wait for their batch).
    assert.equal(await state(settled), 'pending');
    assert.notEqual(await record(prefix, 'gh', 'd1'), 'done');

    const before = await commandCalls(server.port);
    const next = await a.store.admitAndClaim(limits, 's', claimOf('gh', 'd2'));
    const delta = callDelta([before], [await commandCalls(server.port)]);
    assert.deepEqual([next.decision.ok, next.claim], [true, 'claimed']);
    assert.equal(scripts(delta), 1, 'one script carried both settles and did the admit+claim');
    await settled;
    assert.equal(await record(prefix, 'gh', 'd1'), 'done');
    assert.equal(await record(prefix, 'gh', 'warm'), null, 'the released claim is gone');
    assert.equal(await b.store.claimDelivery('gh', 'd1', 30), 'done', 'another replica sees done');
    assert.equal(await b.store.claimDelivery('gh', 'warm', 30), 'claimed', 'and can claim the released id');
  });

  it('a retry at the same replica always sees the settle: it rides on the retry\'s own claim, applied first', async () => {
    const prefix = uniquePrefix();
    const { store } = await replica({ prefix, settleDelayMs: NEVER_MS });
    const limits = limitsOf('gl');
    assert.equal((await store.admitAndClaim(limits, 's', claimOf('gl', 'ok'))).claim, 'claimed');
    assert.equal((await store.admitAndClaim(limits, 's', claimOf('gl', 'failed'))).claim, 'claimed');
    void store.settleDelivery('gl', 'ok', true, 600);
    void store.settleDelivery('gl', 'failed', false, 600);
    assert.equal((await store.admitAndClaim(limits, 's', claimOf('gl', 'ok'))).claim, 'done', 'accepted: the retry is a duplicate');
    assert.equal((await store.admitAndClaim(limits, 's', claimOf('gl', 'failed'))).claim, 'claimed', 'released: the retry goes through');
  });

  it('settles ride on admit and on claimDelivery too, and on one Redis on the scripts of other hooks', async () => {
    const prefix = uniquePrefix();
    const { store } = await replica({ prefix, settleDelayMs: NEVER_MS });
    assert.equal(await store.claimDelivery('stripe', 'e1', 30), 'claimed');
    assert.equal(await store.claimDelivery('stripe', 'e2', 30), 'claimed');
    assert.equal(await store.claimDelivery('stripe', 'e0', 30), 'claimed');
    const first = store.settleDelivery('stripe', 'e1', true, 600);
    assert.equal((await store.admit(limitsOf('stripe'), 's')).ok, true);
    await first;
    assert.equal(await record(prefix, 'stripe', 'e1'), 'done');
    // Not on Cluster (redis-cluster.test.ts): there each hook's settles wait for that hook's script.
    const before = await commandCalls(server.port);
    const zeroth = store.settleDelivery('stripe', 'e0', true, 600);
    assert.equal((await store.admit(limitsOf('other'), 's')).ok, true);
    await zeroth;
    assert.equal(await record(prefix, 'stripe', 'e0'), 'done', "another hook's script carried it");
    assert.equal(scripts(callDelta([before], [await commandCalls(server.port)])), 1, 'in that one script');

    const second = store.settleDelivery('stripe', 'e2', true, 600);
    assert.equal(await store.claimDelivery('stripe', 'e3', 30), 'claimed');
    await second;
    assert.equal(await record(prefix, 'stripe', 'e2'), 'done');
  });

  it('without another script of the hook, the timer writes the queue as one batch after the delay', async () => {
    const prefix = uniquePrefix();
    const delayMs = 300;
    const { store } = await replica({ prefix, settleDelayMs: delayMs });
    for (const id of ['t1', 't2', 't3']) assert.equal(await store.claimDelivery('quiet', id, 30), 'claimed');
    const before = await commandCalls(server.port);
    const started = performance.now();
    const settled = Promise.all([store.settleDelivery('quiet', 't1', true, 600), store.settleDelivery('quiet', 't2', true, 600), store.settleDelivery('quiet', 't3', false, 600)]);
    assert.equal(await record(prefix, 'quiet', 't1').then((v) => v === 'done'), false, 'not written at once');
    await settled;
    const elapsed = performance.now() - started;
    const delta = callDelta([before], [await commandCalls(server.port)]);
    assert.ok(elapsed >= delayMs - 5, `written after ${elapsed} ms`);
    // One batch script (its first run: an EVAL after EVALSHA found no script), and the GET of the check above.
    assert.equal(scripts(delta), 1);
    assert.deepEqual([await record(prefix, 'quiet', 't1'), await record(prefix, 'quiet', 't2'), await record(prefix, 'quiet', 't3')], ['done', 'done', null]);
    const ttl = await admin.ttl(`${prefix}:{quiet}:replay:t1`);
    assert.ok(ttl > 590 && ttl <= 600, `done TTL ${ttl}`);
  });

  it('a settle queued after the queue was carried still waits its whole delay for a carrier', async () => {
    const prefix = uniquePrefix();
    const delayMs = 400;
    const { store } = await replica({ prefix, settleDelayMs: delayMs });
    const limits = limitsOf('steady');
    for (const id of ['e1', 'e2']) assert.equal((await store.admitAndClaim(limits, 's', claimOf('steady', id))).claim, 'claimed');
    // e1 arms the queue's timer; a script carries e1 half-way through; e2 is queued right after.
    const first = store.settleDelivery('steady', 'e1', true, 600);
    await sleep(delayMs / 2);
    assert.equal((await store.admitAndClaim(limits, 's', claimOf('steady', 'carrier'))).claim, 'claimed');
    await first;
    const queuedAt = performance.now();
    const before = await commandCalls(server.port);
    await store.settleDelivery('steady', 'e2', true, 600);
    const waited = performance.now() - queuedAt;
    // The timer armed for e1 fired while e2 was young: it waited again instead of writing e2 early.
    assert.ok(waited >= delayMs - 5, `e2 written after ${waited.toFixed(0)} ms, before its ${delayMs} ms`);
    assert.equal(scripts(callDelta([before], [await commandCalls(server.port)])), 1, 'one script of its own');
    assert.equal(await record(prefix, 'steady', 'e2'), 'done');
  });

  it('the default delay is short: a settle alone is written within a fraction of a second', async () => {
    assert.ok(SETTLE_DELAY_MS >= 1 && SETTLE_DELAY_MS <= 50);
    const prefix = uniquePrefix();
    const { store } = await replica({ prefix });
    assert.equal(await store.claimDelivery('default', 'x', 30), 'claimed');
    await store.settleDelivery('default', 'x', true, 600);
    assert.equal(await record(prefix, 'default', 'x'), 'done');
  });

  it('a queue that reaches the cap is written at once; the rest waits', async () => {
    const prefix = uniquePrefix();
    const { store } = await replica({ prefix, settleDelayMs: NEVER_MS, settleBatchMax: 4 });
    const ids = Array.from({ length: 10 }, (_, i) => `c${i}`);
    for (const id of ids) assert.equal(await store.claimDelivery('capped', id, 30), 'claimed');
    const before = await commandCalls(server.port);
    const promises = ids.map((id) => store.settleDelivery('capped', id, true, 600));
    await Promise.all(promises.slice(0, 8));
    const delta = callDelta([before], [await commandCalls(server.port)]);
    assert.equal(scripts(delta), 2, 'two full batches of 4');
    assert.equal(await state(promises[8]!), 'pending');
    const values = await Promise.all(ids.map((id) => record(prefix, 'capped', id)));
    assert.deepEqual(values.map((v) => v === 'done'), [true, true, true, true, true, true, true, true, false, false]);
  });

  it('close() writes every queued settle before it disconnects', async () => {
    const prefix = uniquePrefix();
    const { store } = await replica({ prefix, settleDelayMs: NEVER_MS });
    for (const hook of ['h1', 'h2']) for (const id of ['a', 'b']) assert.equal(await store.claimDelivery(hook, id, 30), 'claimed');
    const settled = Promise.all([store.settleDelivery('h1', 'a', true, 600), store.settleDelivery('h1', 'b', false, 600), store.settleDelivery('h2', 'a', true, 600), store.settleDelivery('h2', 'b', true, 600)]);
    await store.close();
    await settled;
    assert.deepEqual(await Promise.all([record(prefix, 'h1', 'a'), record(prefix, 'h1', 'b'), record(prefix, 'h2', 'a'), record(prefix, 'h2', 'b')]), ['done', null, 'done', 'done']);
  });

  it('a steady stream of accepted deliveries costs one EVALSHA each (plus one batch for the last settle)', async () => {
    const prefix = uniquePrefix();
    const { store } = await replica({ prefix, settleDelayMs: NEVER_MS });
    const limits = limitsOf('steady');
    assert.equal((await store.admitAndClaim(limits, 'warm', claimOf('steady', 'warm'))).claim, 'claimed');
    await Promise.all([store.settleDelivery('steady', 'warm', true, 600), store.admit(limits, 'warm')]);
    const n = 50;
    const before = await commandCalls(server.port);
    for (let i = 0; i < n; i++) {
      const { decision, claim } = await store.admitAndClaim(limits, `198.18.0.${i % 4}`, claimOf('steady', `d${i}`));
      assert.deepEqual([decision.ok, claim], [true, 'claimed']);
      // As the gateway does: not awaited, after the app answered.
      void store.settleDelivery('steady', `d${i}`, true, 600);
    }
    const during = callDelta([before], [await commandCalls(server.port)]);
    assert.equal(during.get('evalsha'), n, 'one EVALSHA per delivery');
    // Inside the scripts: lockout GET, INCR per window, the claim's SET NX and the previous delivery's
    // SET done; an EXPIRE only for the 4 new per-source windows; no PTTL (nothing was refused).
    assert.deepEqual(Object.fromEntries([...during].sort()), { evalsha: n, expire: 4, get: n, incr: 2 * n, set: 2 * n - 1 });
    await store.close();
    assert.equal(await record(prefix, 'steady', `d${n - 1}`), 'done', 'the last settle, written by close');
  });
});

describe('window counting in Redis', () => {
  it('INCR per point, EXPIRE only when the window starts, PTTL only when refused', async () => {
    const prefix = uniquePrefix();
    const { store } = await replica({ prefix });
    const limits: HookLimits = { hook: 'win', perSource: { points: 2, durationSeconds: 60 } };
    assert.equal((await store.admit(limits, 'warm')).ok, true);
    const before = await commandCalls(server.port);
    const answers = [await store.admit(limits, 'a'), await store.admit(limits, 'a'), await store.admit(limits, 'a')];
    const delta = callDelta([before], [await commandCalls(server.port)]);
    assert.deepEqual(answers.map((d) => (d.ok ? 'ok' : d.reason)), ['ok', 'ok', 'rate_limited']);
    assert.deepEqual(Object.fromEntries([...delta].sort()), { evalsha: 3, expire: 1, incr: 3, pttl: 1 });
  });

  it('a counter without expiry starts a new window instead of refusing forever', async () => {
    const prefix = uniquePrefix();
    const { store } = await replica({ prefix });
    const limits: HookLimits = { hook: 'stuck', perSource: { points: 2, durationSeconds: 60 } };
    const key = `${prefix}:{stuck}:rate:source:s`;
    await admin.set(key, '40');
    const decision = await store.admit(limits, 's');
    assert.equal(decision.ok, true);
    assert.equal(await admin.get(key), '1', 'this request is the first point of the new window');
    const ttl = await admin.ttl(key);
    assert.ok(ttl > 55 && ttl <= 60, `TTL ${ttl}`);
    assert.equal((await store.admit(limits, 's')).ok, true);
    const refused = await store.admit(limits, 's');
    assert.ok(!refused.ok && refused.reason === 'rate_limited' && refused.retryAfterSeconds >= 55);
  });
});

describe('Redis failing while settles are queued', () => {
  // Each test has a Redis of its own: they kill or pause it.
  async function isolated(onError: 'open' | 'closed', settleDelayMs = NEVER_MS) {
    const own = await startRedisServer();
    const prefix = uniquePrefix();
    const config = redisConfig({ mode: 'url', url: own.url }, { onError, prefix });
    const store = createRedisStore({ client: await ready(createRedisClient(config)), config, logger: quietLogger(), settleDelayMs });
    return { own, prefix, store, cleanup: async () => { await store.close(); await own.kill(); } };
  }

  it('open, Redis down when the batch is due: the settles go to the memory stand-in (nothing sent)', async () => {
    const { own, store, cleanup } = await isolated('open', 200);
    try {
      assert.equal(await store.claimDelivery('h', 'acc', 30), 'claimed');
      assert.equal(await store.claimDelivery('h', 'rel', 30), 'claimed');
      const settled = Promise.all([store.settleDelivery('h', 'acc', true, 600), store.settleDelivery('h', 'rel', false, 600)]);
      await own.kill();
      await settled;
      // Redis is down: the stand-in answers, and it knows what the app did.
      assert.equal(await store.claimDelivery('h', 'acc', 30), 'done');
      assert.equal(await store.claimDelivery('h', 'rel', 30), 'claimed');
    } finally {
      await cleanup();
    }
  });

  it('open, the script carrying the settles fails (Redis hung): they go to the memory stand-in, the admit too', async () => {
    const { own, store, cleanup } = await isolated('open');
    try {
      const limits = limitsOf('h');
      assert.equal((await store.admitAndClaim(limits, 's', claimOf('h', 'acc'))).claim, 'claimed');
      const settled = store.settleDelivery('h', 'acc', true, 600);
      own.pause();
      try {
        const carrier = await store.admitAndClaim(limits, 's', claimOf('h', 'other'));
        assert.deepEqual([carrier.decision.ok, carrier.claim], [true, 'claimed'], 'the stand-in admitted and claimed');
        await settled;
        assert.equal(await store.claimDelivery('h', 'acc', 30), 'done', 'the stand-in remembers the accepted delivery');
      } finally {
        own.resume();
      }
    } finally {
      await cleanup();
    }
  });

  it('closed, Redis down: the settle promise rejects with RedisUnavailableError; hung: with the command error', async () => {
    const hung = await isolated('closed');
    try {
      assert.equal(await hung.store.claimDelivery('h', 'x', 30), 'claimed');
      const settled = hung.store.settleDelivery('h', 'x', true, 600);
      hung.own.pause();
      try {
        assert.equal(await hung.store.claimDelivery('h', 'y', 30), 'unavailable', 'the carrier itself fails closed');
        await assert.rejects(settled, (error: unknown) => error instanceof Error && !(error instanceof RedisUnavailableError));
      } finally {
        hung.own.resume();
      }
    } finally {
      await hung.cleanup();
    }

    const down = await isolated('closed', 100);
    try {
      assert.equal(await down.store.claimDelivery('h', 'x', 30), 'claimed');
      const settled = down.store.settleDelivery('h', 'x', true, 600);
      await down.own.kill();
      await assert.rejects(settled, RedisUnavailableError);
    } finally {
      await down.cleanup();
    }
  });

  it('open: a delivery claimed in memory during an outage and accepted after Redis is back is written to Redis as done', async () => {
    const { own, prefix, store, cleanup } = await isolated('open', 50);
    try {
      await own.kill();
      assert.equal(await store.claimDelivery('h', 'mem', 30), 'claimed');
      await own.start();
      const probe = new Redis({ host: '127.0.0.1', port: own.port, maxRetriesPerRequest: 0 });
      try {
        // The store's client reconnects by itself; wait until a claim goes to Redis again.
        await waitFor('the store to reach Redis again', async () => (await store.claimDelivery('h', `probe-${Date.now()}`, 30)) === 'claimed' && (await probe.dbsize()) > 0, 10_000, 100);
        await store.settleDelivery('h', 'mem', true, 600);
        assert.equal(await probe.get(`${prefix}:{h}:replay:mem`), 'done');
      } finally {
        probe.disconnect();
      }
    } finally {
      await cleanup();
    }
  });
});
