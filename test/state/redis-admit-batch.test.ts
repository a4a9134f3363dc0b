import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { AdmitDecision, HookLimits, StateStore } from '../../src/state/store.js';
import { createRedisClient } from '../../src/state/redis/create-redis-client.js';
import { createRedisStore } from '../../src/state/redis/create-redis-store.js';
import { startRedisServer, waitFor, type RedisServer } from '../helpers/redis-harness.js';
import { callDelta, commandCalls, quietLogger, ready, redisConfig, uniquePrefix } from './support.js';

/**
 * Admissions made while an admit script is out go together in the next one (call-gatherer.ts),
 * deciding what the same deliveries one by one would have. Real Redis; script counts from INFO
 * commandstats.
 */

let server: RedisServer;
let admin: Redis;
const stores: StateStore[] = [];

before(async () => {
  server = await startRedisServer();
  admin = new Redis({ host: '127.0.0.1', port: server.port, maxRetriesPerRequest: 0, enableOfflineQueue: false });
  await waitFor('the admin connection', () => admin.status === 'ready');
});

after(async () => {
  await Promise.all(stores.map((store) => store.close()));
  admin?.disconnect();
  await server?.kill();
});

async function store(prefix: string, options: { onError?: 'open' | 'closed'; admitBatchMax?: number } = {}): Promise<StateStore> {
  const config = redisConfig({ mode: 'url', url: server.url }, { onError: options.onError ?? 'closed', prefix });
  const created = createRedisStore({
    client: await ready(createRedisClient(config)),
    config,
    logger: quietLogger(),
    ...(options.admitBatchMax !== undefined ? { admitBatchMax: options.admitBatchMax } : {}),
  });
  stores.push(created);
  // The first script of a connection is an EVAL (NOSCRIPT): out of the way of the counts below.
  await created.admit({ hook: 'warm-up', perHook: { points: 1, durationSeconds: 1 } }, 'x');
  return created;
}

const scripts = (delta: Map<string, number>): number => (delta.get('evalsha') ?? 0) + (delta.get('eval') ?? 0);
const verdict = (decision: AdmitDecision): string => (decision.ok ? 'ok' : decision.reason);

describe('admissions gathered into one script', () => {
  it('admits made together cost two scripts (the first alone, the rest gathered behind it) and decide as if one by one', async () => {
    const prefix = uniquePrefix();
    const replica = await store(prefix);
    const limits: HookLimits = { hook: 'gh', perHook: { points: 10, durationSeconds: 60 } };
    const before = await commandCalls(server.port);
    const decisions = await Promise.all(Array.from({ length: 40 }, () => replica.admit(limits, '192.0.2.1')));
    const delta = callDelta([before], [await commandCalls(server.port)]);
    assert.deepEqual(decisions.map(verdict), [...Array<string>(10).fill('ok'), ...Array<string>(30).fill('rate_limited')], 'the first ten, in call order');
    assert.equal(scripts(delta), 2);
    assert.equal(delta.get('incr'), 40, 'every delivery consumed its point');
  });

  it('keeps each delivery\'s own keys and arguments: per-source windows, hooks with other limits, and lockout, in one batch', async () => {
    const prefix = uniquePrefix();
    const replica = await store(prefix);
    const bySource: HookLimits = { hook: 'a', perSource: { points: 2, durationSeconds: 60 } };
    const byHook: HookLimits = { hook: 'b', perHook: { points: 1, durationSeconds: 60 } };
    const guarded: HookLimits = { hook: 'c', lockout: { failures: 2, windowSeconds: 60, blockSeconds: 60 } };
    for (let i = 0; i < 2; i++) assert.equal((await replica.recordAuthFailure(guarded, 'mallory')).state, i === 0 ? 'counted' : 'locked_now');
    const before = await commandCalls(server.port);
    const calls: Array<[HookLimits, string]> = [
      [bySource, 's1'],
      [bySource, 's1'],
      [byHook, 's1'],
      [bySource, 's2'],
      [bySource, 's1'],
      [guarded, 'mallory'],
      [byHook, 's2'],
      [guarded, 'alice'],
      [bySource, 's2'],
      [bySource, 's2'],
    ];
    // Something out first, so that all ten are gathered into the second script.
    const first = replica.admit(bySource, 'warm');
    const decisions = await Promise.all(calls.map(([limits, source]) => replica.admit(limits, source)));
    await first;
    assert.equal(scripts(callDelta([before], [await commandCalls(server.port)])), 2);
    assert.deepEqual(decisions.map(verdict), ['ok', 'ok', 'ok', 'ok', 'rate_limited', 'locked_out', 'rate_limited', 'ok', 'ok', 'rate_limited']);
    for (const decision of decisions) if (!decision.ok) assert.ok(decision.retryAfterSeconds >= 1 && decision.retryAfterSeconds <= 60);
  });

  it('claims in a batch in order: the first copy of an id is claimed, the copy behind it finds it in flight', async () => {
    const prefix = uniquePrefix();
    const replica = await store(prefix);
    const limits: HookLimits = { hook: 'gh', perSource: { points: 100, durationSeconds: 60 } };
    const claim = (id: string) => replica.admitAndClaim(limits, 's', { hook: 'gh', deliveryId: id, inFlightSeconds: 30 });
    const results = await Promise.all([claim('d0'), claim('d1'), claim('d1'), claim('d2')]);
    assert.deepEqual(
      results.map((r) => r.claim),
      ['claimed', 'claimed', 'in_flight', 'claimed'],
    );
    await replica.settleDelivery('gh', 'd1', true, 600);
    const mixed = await Promise.all([claim('d3'), replica.admit(limits, 's'), claim('d1'), claim('d3')]);
    assert.deepEqual(
      mixed.map((r) => ('claim' in r ? r.claim : verdict(r as AdmitDecision))),
      ['claimed', 'ok', 'done', 'in_flight'],
    );
  });

  it('a key of the wrong type fails its own delivery alone: 503 for it in onError: closed, the others of the batch are decided', async () => {
    const prefix = uniquePrefix();
    const replica = await store(prefix);
    const limits: HookLimits = { hook: 'gh', perSource: { points: 100, durationSeconds: 60 } };
    await admin.hset(`${prefix}:{gh}:rate:source:broken`, 'not', 'a counter');
    const first = replica.admit(limits, 'before');
    const decisions = await Promise.all(['good', 'broken', 'also-good'].map((source) => replica.admit(limits, source)));
    await first;
    assert.deepEqual(decisions.map(verdict), ['ok', 'unavailable', 'ok']);
  });

  it('onError: open: a delivery whose command failed is decided by the memory stand-in, and the batch with it stands', async () => {
    const prefix = uniquePrefix();
    const replica = await store(prefix, { onError: 'open' });
    const limits: HookLimits = { hook: 'gh', perSource: { points: 1, durationSeconds: 60 } };
    await admin.hset(`${prefix}:{gh}:rate:source:broken`, 'not', 'a counter');
    const first = replica.admit(limits, 'before');
    const decisions = await Promise.all(['good', 'broken', 'good'].map((source) => replica.admit(limits, source)));
    await first;
    assert.deepEqual(decisions.map(verdict), ['ok', 'ok', 'rate_limited']);
    assert.equal(await admin.get(`${prefix}:{gh}:rate:source:good`), '2', 'the shared window counted both of good\'s deliveries');
  });

  it('sends a gather at its size limit at once: 10 admits made together with a limit of 4 go as 1 + 4 + 4 + 1', async () => {
    const prefix = uniquePrefix();
    const replica = await store(prefix, { admitBatchMax: 4 });
    const limits: HookLimits = { hook: 'gh', perHook: { points: 100, durationSeconds: 60 } };
    const before = await commandCalls(server.port);
    const decisions = await Promise.all(Array.from({ length: 10 }, () => replica.admit(limits, 's')));
    assert.ok(decisions.every((decision) => decision.ok));
    assert.equal(scripts(callDelta([before], [await commandCalls(server.port)])), 4);
    assert.equal(await admin.get(`${prefix}:{gh}:rate:hook`), '10');
  });
});
