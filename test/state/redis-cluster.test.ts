import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { RedisConfig } from '../../src/config/types.js';
import type { HookLimits, StateStore } from '../../src/state/store.js';
import { createRedisClient } from '../../src/state/redis/create-redis-client.js';
import { createRedisStore } from '../../src/state/redis/create-redis-store.js';
import { hashToken, tokenId } from '../../src/state/token-set.js';
import { startRedisCluster, type RedisCluster } from '../helpers/redis-harness.js';
import { callDelta, commandCalls, nodesOf, quietLogger, ready, redisConfig, uniquePrefix } from './support.js';
import { CONFIGURED_TOKEN, runTokens, startBook, untilEveryBook, writeSidecarConfig, type BookReplica } from './token-fixture.js';

/** A three-master Redis Cluster: every operation stays in one slot, so limits and tokens just work. */

let cluster: RedisCluster;
let config: RedisConfig;
let stores: StateStore[] = [];
let books: BookReplica[] = [];
let sidecarConfig: ReturnType<typeof writeSidecarConfig>;

before(async () => {
  cluster = await startRedisCluster(3);
  const prefix = uniquePrefix();
  config = redisConfig({ mode: 'cluster', nodes: nodesOf(cluster.nodes.map((n) => n.port)) }, { prefix });
  stores = await Promise.all(
    [1, 2, 3].map(async () => {
      const client = await ready(createRedisClient(config));
      return createRedisStore({ client, config, logger: quietLogger() });
    }),
  );
  books = await Promise.all([1, 2, 3].map(() => startBook(config)));
  sidecarConfig = writeSidecarConfig({ cluster: { nodes: cluster.nodes.map((n) => `127.0.0.1:${n.port}`) }, prefix });
});

after(async () => {
  await Promise.all([...stores.map((s) => s.close()), ...books.map((b) => b.close())]);
  await cluster?.stop();
  sidecarConfig?.remove();
});

// Hook names whose hash tags fall on different masters (checked below).
const HOOKS = ['github', 'stripe', 'gitlab', 'slack', 'shopify', 'twilio'];

/** Plain connections to each master, to ask for slots and keys (no cluster routing). */
async function withNodes<T>(work: (nodes: Redis[]) => Promise<T>): Promise<T> {
  const nodes = cluster.nodes.map((node) => new Redis(node.port, '127.0.0.1'));
  try {
    return await work(nodes);
  } finally {
    for (const node of nodes) node.disconnect();
  }
}

/** Two of HOOKS whose hash tags are served by different masters. */
async function hooksOnDifferentMasters(): Promise<[string, string]> {
  return withNodes(async (nodes) => {
    const ranges = await nodes[0]!.cluster('SLOTS');
    // The port of the master that serves the hook's slot.
    const master = async (hook: string) => {
      const slot = await nodes[0]!.cluster('KEYSLOT', `${config.prefix}:{${hook}}:x`);
      return ranges.find(([from, to]) => slot >= from && slot <= to)?.[2]?.[1] ?? -1;
    };
    const owners = await Promise.all(HOOKS.map(master));
    const other = owners.findIndex((owner) => owner !== owners[0]);
    assert.ok(owners[0] !== -1 && other > 0, `HOOKS' masters: ${owners.join(', ')}`);
    return [HOOKS[0]!, HOOKS[other]!];
  });
}

async function ownerOf(key: string): Promise<number> {
  return withNodes(async (nodes) => {
    const slot = await nodes[0]!.cluster('KEYSLOT', key);
    for (const [index, node] of nodes.entries()) if ((await node.cluster('COUNTKEYSINSLOT', slot)) > 0) return index;
    return -1;
  });
}

describe('Redis Cluster (3 masters)', () => {
  it('a per-hook limit of N admits exactly N across three replicas, for hooks on different masters', async () => {
    for (const hook of HOOKS) {
      const limits: HookLimits = { hook, perSource: { points: 1_000, durationSeconds: 60 }, perHook: { points: 7, durationSeconds: 60 }, lockout: { failures: 5, windowSeconds: 60, blockSeconds: 60 } };
      const decisions = await Promise.all(Array.from({ length: 20 }, (_, i) => stores[i % 3]!.admit(limits, `10.1.0.${i}`)));
      assert.equal(decisions.filter((d) => d.ok).length, 7, hook);
    }
    const owners = new Set(await Promise.all(HOOKS.map((hook) => ownerOf(`${config.prefix}:{${hook}}:rate:hook`))));
    assert.ok(owners.size >= 2, `hooks spread over ${owners.size} master(s)`);
  });

  it('gathers admissions per hook: concurrent deliveries of hooks on different masters never share a script (no CROSSSLOT)', async () => {
    const [first, second] = await hooksOnDifferentMasters();
    const prefix = uniquePrefix();
    const own = { ...config, prefix } as RedisConfig;
    const store = createRedisStore({ client: await ready(createRedisClient(own)), config: own, logger: quietLogger() });
    try {
      const limitsOf = (hook: string): HookLimits => ({ hook, perHook: { points: 10, durationSeconds: 60 }, lockout: { failures: 5, windowSeconds: 60, blockSeconds: 60 } });
      // A script of each hook out first, so that what follows is gathered behind them.
      await Promise.all([store.admit(limitsOf(first), 'warm'), store.admit(limitsOf(second), 'warm')]);
      const ports = cluster.nodes.map((n) => n.port);
      const before = await Promise.all(ports.map(commandCalls));
      const hooks = Array.from({ length: 30 }, (_, i) => (i % 2 === 0 ? first : second));
      const decisions = await Promise.all(hooks.map((hook, i) => store.admit(limitsOf(hook), `198.18.2.${i}`)));
      const delta = callDelta(before, await Promise.all(ports.map(commandCalls)));
      // Each hook has 9 points left after its warm-up: a CROSSSLOT error would have been a 503.
      for (const hook of [first, second]) assert.equal(decisions.filter((d, i) => hooks[i] === hook && d.ok).length, 9, hook);
      assert.ok(decisions.every((d) => d.ok || d.reason === 'rate_limited'));
      const scripts = (delta.get('evalsha') ?? 0) + (delta.get('eval') ?? 0);
      assert.ok(scripts >= 2 && scripts <= 4, `${scripts} scripts for 30 deliveries of two hooks`);
    } finally {
      await store.close();
    }
  });

  it("keeps every key of a hook in its hook's slot", async () => {
    const slots = new Map<string, Set<number>>();
    await withNodes(async (nodes) => {
      for (const node of nodes) {
        for (const key of await node.keys('*')) {
          const hook = /\{([^}]+)\}/.exec(key)![1]!;
          slots.set(hook, (slots.get(hook) ?? new Set()).add(await node.cluster('KEYSLOT', key)));
        }
      }
    });
    assert.ok(slots.size >= HOOKS.length);
    for (const [hook, set] of slots) assert.equal(set.size, 1, `${hook}: keys in ${set.size} slots`);
  });

  it('a lockout reached on one replica holds on the others; replay claims are shared', async () => {
    const limits: HookLimits = { hook: 'stripe', lockout: { failures: 2, windowSeconds: 60, blockSeconds: 60 } };
    assert.equal((await stores[0]!.recordAuthFailure(limits, '198.51.100.3')).state, 'counted');
    assert.equal((await stores[1]!.recordAuthFailure(limits, '198.51.100.3')).state, 'locked_now');
    const decision = await stores[2]!.admit(limits, '198.51.100.3');
    assert.equal(decision.ok ? 'ok' : decision.reason, 'locked_out');

    const claims = await Promise.all([0, 1, 2, 0, 1, 2].map((i) => stores[i]!.claimDelivery('gitlab', 'evt-1', 30)));
    assert.equal(claims.filter((c) => c === 'claimed').length, 1);
    await stores[claims.indexOf('claimed') % 3]!.settleDelivery('gitlab', 'evt-1', true, 60);
    assert.equal(await stores[1]!.claimDelivery('gitlab', 'evt-1', 30), 'done');
  });

  it('admit and claim cost one round trip each on a Cluster too; a settle rides on the next script of its hook', async () => {
    const limits: HookLimits = { hook: 'slack', perSource: { points: 100, durationSeconds: 60 }, perHook: { points: 100, durationSeconds: 60 }, lockout: { failures: 5, windowSeconds: 60, blockSeconds: 60 } };
    const store = stores[0]!;
    await store.admit(limits, 'warm');
    await store.claimDelivery('slack', 'warm', 30);
    await store.settleDelivery('slack', 'warm', true, 60);
    const ports = cluster.nodes.map((n) => n.port);
    const before = await Promise.all(ports.map(commandCalls));
    await store.admit(limits, '198.18.1.1');
    await store.claimDelivery('slack', 'evt', 30);
    const settled = store.settleDelivery('slack', 'evt', true, 60);
    await store.admit(limits, '198.18.1.2');
    await settled;
    const delta = callDelta(before, await Promise.all(ports.map(commandCalls)));
    assert.equal((delta.get('evalsha') ?? 0) + (delta.get('eval') ?? 0), 3, 'admit, claim, and an admit that carried the settle');
    const insideScripts = new Set(['get', 'set', 'incr', 'pttl', 'expire', 'del']);
    assert.deepEqual([...delta].filter(([command]) => command !== 'evalsha' && command !== 'eval' && !insideScripts.has(command)), []);
    assert.equal(await stores[1]!.claimDelivery('slack', 'evt', 30), 'done');
  });

  it('settles of two hooks on different masters: each rides only on its own hook\'s script, or its own batch', async () => {
    const [first, second] = await hooksOnDifferentMasters();
    // A replica of its own whose timer never fires during the test, so that only scripts carry.
    const client = await ready(createRedisClient(config));
    const store = createRedisStore({ client, config, logger: quietLogger(), settleDelayMs: 600_000 });
    try {
      for (const hook of [first, second]) for (const id of ['a', 'b']) assert.equal(await store.claimDelivery(hook, id, 30), 'claimed');
      const firstSettled = Promise.all([store.settleDelivery(first, 'a', true, 60), store.settleDelivery(first, 'b', false, 60)]);
      const secondSettled = store.settleDelivery(second, 'a', true, 60);
      // Mixing keys of two slots in one script would be refused (CROSSSLOT): success says it did not.
      assert.equal((await store.admit({ hook: first, perHook: { points: 1_000, durationSeconds: 60 } }, 's')).ok, true);
      await firstSettled;
      assert.equal(await stores[1]!.claimDelivery(first, 'a', 30), 'done');
      assert.equal(await stores[1]!.claimDelivery(first, 'b', 30), 'claimed', 'released');
      assert.equal(await stores[1]!.claimDelivery(second, 'a', 30), 'in_flight', "the other hook's settle is still queued");
      assert.equal(await store.claimDelivery(second, 'c', 30), 'claimed');
      await secondSettled;
      assert.equal(await stores[1]!.claimDelivery(second, 'a', 30), 'done');

      // Both queues written by close(): one batch per hook, each on its own master.
      for (const hook of [first, second]) assert.equal(await store.claimDelivery(hook, 'd', 30), 'claimed');
      const settledAtClose = Promise.all([store.settleDelivery(first, 'd', true, 60), store.settleDelivery(second, 'd', true, 60)]);
      assert.equal(await stores[1]!.claimDelivery(first, 'd', 30), 'in_flight', 'queued, not written yet');
      await store.close();
      await settledAtClose;
      assert.equal(await stores[2]!.claimDelivery(first, 'd', 30), 'done');
      assert.equal(await stores[2]!.claimDelivery(second, 'd', 30), 'done');
    } finally {
      await store.close();
    }
  });

  it('tokens: seeded once, rotation visible on every replica within a second, revoke immediate', async () => {
    for (const { book } of books) assert.equal(book.tokensOf('github')?.has(CONFIGURED_TOKEN), true);
    const rotate = await runTokens(['rotate', '--config', sidecarConfig.path, '--hook', 'github', '--grace', '1h'], sidecarConfig.env);
    assert.equal(rotate.code, 0, rotate.err.join('\n'));
    const token = rotate.out.at(-1)!;
    assert.ok((await untilEveryBook(books, token, true, 1_000)) < 1_000);

    const configuredId = tokenId(hashToken(CONFIGURED_TOKEN));
    const list = await runTokens(['list', '--config', sidecarConfig.path, '--hook', 'github'], sidecarConfig.env);
    assert.ok(list.out.some((line) => line.startsWith(configuredId) && !line.endsWith('never')), 'the configured token is on grace');
    const revoke = await runTokens(['revoke', '--config', sidecarConfig.path, '--hook', 'github', '--id', configuredId], sidecarConfig.env);
    assert.equal(revoke.code, 0, revoke.err.join('\n'));
    await untilEveryBook(books, CONFIGURED_TOKEN, false, 1_000);
  });
});
