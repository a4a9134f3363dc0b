import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { HookLimits, StateStore } from '../../src/state/store.js';
import type { RedisConfig } from '../../src/config/types.js';
import { createRedisClient } from '../../src/state/redis/create-redis-client.js';
import { createRedisStore } from '../../src/state/redis/create-redis-store.js';
import { startRedisServer, type RedisServer } from '../helpers/redis-harness.js';
import { callDelta, commandCalls, quietLogger, ready, redisConfig, sleep } from './support.js';

/** Three stores on one Redis stand for the sidecars of three replicas of one app. */

let server: RedisServer;
let config: RedisConfig;
let replicas: StateStore[] = [];

before(async () => {
  server = await startRedisServer();
  config = redisConfig({ mode: 'url', url: server.url });
  replicas = await Promise.all(
    [1, 2, 3].map(async () => {
      const client = await ready(createRedisClient(config));
      return createRedisStore({ client, config, logger: quietLogger() });
    }),
  );
});

after(async () => {
  await Promise.all(replicas.map((store) => store.close()));
  await server?.kill();
});

const replica = (index: number): StateStore => replicas[index % replicas.length]!;

describe('Redis store shared by three replicas', () => {
  it('a per-hook limit of N admits exactly N requests across all replicas, however they interleave', async () => {
    const limits: HookLimits = { hook: 'per-hook', perHook: { points: 10, durationSeconds: 60 } };
    const decisions = await Promise.all(Array.from({ length: 45 }, (_, i) => replica(i).admit(limits, `10.0.0.${i}`)));
    assert.equal(decisions.filter((d) => d.ok).length, 10);
    assert.ok(decisions.every((d) => d.ok || d.reason === 'rate_limited'));
  });

  it('a per-source limit counts one source across replicas, and no other', async () => {
    const limits: HookLimits = { hook: 'per-source', perSource: { points: 4, durationSeconds: 60 } };
    const fromA = await Promise.all(Array.from({ length: 12 }, (_, i) => replica(i).admit(limits, '192.0.2.1')));
    assert.equal(fromA.filter((d) => d.ok).length, 4);
    assert.equal((await replica(0).admit(limits, '192.0.2.2')).ok, true);
  });

  it('a lockout reached through one replica holds on every replica', async () => {
    const limits: HookLimits = { hook: 'lockout', lockout: { failures: 3, windowSeconds: 600, blockSeconds: 300 } };
    assert.equal((await replica(0).recordAuthFailure(limits, '198.51.100.7')).state, 'counted');
    assert.equal((await replica(1).recordAuthFailure(limits, '198.51.100.7')).state, 'counted');
    assert.equal((await replica(2).recordAuthFailure(limits, '198.51.100.7')).state, 'locked_now');
    for (const store of replicas) {
      const decision = await store.admit(limits, '198.51.100.7');
      assert.deepEqual(decision.ok ? 'ok' : decision.reason, 'locked_out');
      assert.ok(!decision.ok && decision.retryAfterSeconds > 290 && decision.retryAfterSeconds <= 300);
    }
    assert.equal((await replica(1).recordAuthFailure(limits, '198.51.100.7')).state, 'locked_before');
    assert.equal((await replica(1).admit(limits, '198.51.100.8')).ok, true, 'another source is not locked out');
  });

  it('failures counted at the same moment on several replicas lock out exactly once', async () => {
    const limits: HookLimits = { hook: 'lockout-race', lockout: { failures: 5, windowSeconds: 600, blockSeconds: 300 } };
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => replica(i).recordAuthFailure(limits, '203.0.113.9')));
    assert.equal(results.filter((r) => r.state === 'locked_now').length, 1);
    assert.equal(results.filter((r) => r.state === 'counted').length, 4);
    assert.equal(results.filter((r) => r.state === 'locked_before').length, 7);
  });

  it('replay: a delivery claimed on one replica is in flight on the others, then done everywhere once accepted', async () => {
    assert.equal(await replica(0).claimDelivery('replay', 'd-1', 30), 'claimed');
    assert.equal(await replica(1).claimDelivery('replay', 'd-1', 30), 'in_flight');
    await replica(0).settleDelivery('replay', 'd-1', true, 60);
    assert.equal(await replica(2).claimDelivery('replay', 'd-1', 30), 'done');
  });

  it('replay: a released claim lets the retry through on another replica', async () => {
    assert.equal(await replica(0).claimDelivery('replay', 'd-2', 30), 'claimed');
    await replica(0).settleDelivery('replay', 'd-2', false, 60);
    assert.equal(await replica(1).claimDelivery('replay', 'd-2', 30), 'claimed');
  });

  it('replay: of concurrent claims of one id on every replica, exactly one wins', async () => {
    const results = await Promise.all(Array.from({ length: 15 }, (_, i) => replica(i).claimDelivery('replay', 'd-race', 30)));
    assert.equal(results.filter((r) => r === 'claimed').length, 1);
    assert.equal(results.filter((r) => r === 'in_flight').length, 14);
  });

  it('replay: releasing a claim that lapsed does not delete the claim another replica took since', async () => {
    assert.equal(await replica(0).claimDelivery('replay', 'd-lapse', 1), 'claimed');
    await sleep(1_100);
    assert.equal(await replica(1).claimDelivery('replay', 'd-lapse', 30), 'claimed');
    await replica(0).settleDelivery('replay', 'd-lapse', false, 60);
    assert.equal(await replica(2).claimDelivery('replay', 'd-lapse', 30), 'in_flight');
  });

  it('keeps every key of a hook under its hash tag and the prefix', async () => {
    const keys = (await server.cli('--scan')).split('\n').filter(Boolean);
    assert.ok(keys.length > 0);
    for (const key of keys) assert.match(key, new RegExp(`^${config.prefix}:\\{[a-z0-9-]+\\}:`));
  });

  it('costs one round trip per admit and per claim; a settle rides on the next script of its hook (INFO commandstats)', async () => {
    const store = replica(0);
    const limits: HookLimits = { hook: 'budget', perSource: { points: 100, durationSeconds: 60 }, perHook: { points: 100, durationSeconds: 60 }, lockout: { failures: 5, windowSeconds: 60, blockSeconds: 60 } };
    // Warm up: the first call of a script on a connection is an EVAL (ioredis), not an EVALSHA.
    await store.admit(limits, 'warm');
    await store.claimDelivery('budget', 'warm', 30);
    await store.settleDelivery('budget', 'warm', true, 60);

    const deliveries = 5;
    const before = await commandCalls(server.port);
    let last: Promise<void> = Promise.resolve();
    for (let i = 0; i < deliveries; i++) {
      assert.equal((await store.admit(limits, `198.18.0.${i}`)).ok, true);
      assert.equal(await store.claimDelivery('budget', `delivery-${i}`, 30), 'claimed');
      // As the gateway does: not awaited. The next admit carries it.
      last = store.settleDelivery('budget', `delivery-${i}`, true, 60);
    }
    // The last settle has no script to ride on: its timer writes it as a batch of its own.
    await last;
    const delta = callDelta([before], [await commandCalls(server.port)]);

    // Commands run inside a script count in commandstats too; those are not round trips. Every
    // round trip is an EVALSHA, and nothing else was sent from outside a script.
    const insideScripts = new Set(['get', 'set', 'incr', 'pttl', 'expire', 'del']);
    const outside = [...delta].filter(([command]) => command !== 'evalsha' && command !== 'eval' && !insideScripts.has(command));
    assert.deepEqual(outside, [], 'no command outside the scripts');
    assert.equal((delta.get('evalsha') ?? 0) + (delta.get('eval') ?? 0), 2 * deliveries + 1, 'admit + claim per delivery, and one batch for the last settle');
    for (let i = 0; i < deliveries; i++) assert.equal(await replica(1).claimDelivery('budget', `delivery-${i}`, 30), 'done');
  });
});
