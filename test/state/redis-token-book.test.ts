import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Redis } from 'ioredis';
import type { HookConfig, RedisConfig } from '../../src/config/types.js';
import { hashToken, tokenId } from '../../src/state/token-set.js';
import { startRedisServer, waitFor, type RedisServer } from '../helpers/redis-harness.js';
import { RedisKeyspace } from '../../src/state/redis/redis-keyspace.js';
import { rotateToken } from '../../src/tokens/rotate-token.js';
import { captureLogger, metricValue, ready, redisConfig, sleep, testMetrics, uniquePrefix } from './support.js';
import { createRedisClient } from '../../src/state/redis/create-redis-client.js';
import { disconnectRedis } from '../../src/state/redis/disconnect-redis.js';
import { createRedisTokenBook } from '../../src/tokens/redis-token-book.js';
import { CONFIGURED_TOKEN, runTokens, startBook, untilEveryBook, writeSidecarConfig, type BookReplica } from './token-fixture.js';

/** Token state in Redis as three replicas and an operator see it (CONTRACT.md, "Token state"). */

const TOKEN_LINE = /^[A-Za-z0-9_-]{43}$/;

let server: RedisServer;
let config: RedisConfig;
let sidecarConfig: ReturnType<typeof writeSidecarConfig>;
let replicas: BookReplica[] = [];
const issued: string[] = [CONFIGURED_TOKEN];
const extra: BookReplica[] = [];

const tokens = (...args: string[]) => runTokens(['--config', sidecarConfig.path, ...args], sidecarConfig.env);

before(async () => {
  server = await startRedisServer();
  const prefix = uniquePrefix();
  config = redisConfig({ mode: 'url', url: server.url }, { prefix });
  sidecarConfig = writeSidecarConfig({ url: server.url, prefix });
  // A short resync interval stands for the 30 s one: it is what re-seeds a flushed Redis.
  replicas = await Promise.all([1, 2, 3].map(() => startBook(config, { resyncIntervalMs: 300 })));
});

after(async () => {
  await Promise.all([...replicas, ...extra].map((replica) => replica.close()));
  await server?.kill();
  sidecarConfig?.remove();
});

async function rotate(grace: string): Promise<string> {
  const run = await tokens('rotate', '--hook', 'github', '--grace', grace);
  assert.equal(run.code, 0, run.err.join('\n'));
  const token = run.out.at(-1)!;
  assert.match(token, TOKEN_LINE, 'the new token is the last line of stdout');
  issued.push(token);
  return token;
}

describe('Redis token book', () => {
  it('seeds an empty set from the configured token, once, and every replica honours it', async () => {
    const hashes = await server.cli('hkeys', `${config.prefix}:{github}:tokens`);
    assert.equal(hashes, hashToken(CONFIGURED_TOKEN));
    for (const { book } of replicas) assert.equal(book.tokensOf('github')?.has(CONFIGURED_TOKEN), true);
    assert.equal(replicas.flatMap((r) => r.lines).filter((l) => l.event === 'token_seeded').length, 1);
  });

  it('rotate: the new token works on every replica within a second, the old one until its grace ends, then not', async () => {
    const started = Date.now();
    const token = await rotate('2s');
    const took = await untilEveryBook(replicas, token, true, 1_000);
    assert.ok(took < 1_000, `visible after ${took} ms`);
    for (const { book } of replicas) assert.equal(book.tokensOf('github')?.has(CONFIGURED_TOKEN), true, 'old token within its grace');
    for (const replica of replicas) assert.equal(await metricValue(replica.metrics, 'tokenRotations', { hook: 'github' }), 1);
    assert.ok(replicas.every((r) => r.lines.some((l) => l.event === 'token_rotated' && l.id === tokenId(hashToken(token)))), 'each replica logs it');

    // Each replica ends the grace by its own clock: no message tells it to.
    await sleep(Math.max(0, started + 2_000 - Date.now() - 300));
    for (const { book } of replicas) assert.equal(book.tokensOf('github')?.has(CONFIGURED_TOKEN), true, 'still in grace just before its end');
    await untilEveryBook(replicas, CONFIGURED_TOKEN, false, 1_000);
    for (const { book } of replicas) assert.equal(book.tokensOf('github')?.has(token), true);
  });

  it('rotate with --grace 0s ends the previous tokens at once', async () => {
    const previous = issued.at(-1)!;
    const token = await rotate('0s');
    await untilEveryBook(replicas, token, true, 1_000);
    await untilEveryBook(replicas, previous, false, 1_000);
  });

  it('revoke ends one token at once on every replica; the others stay valid', async () => {
    const kept = issued.at(-1)!;
    const newest = await rotate('1h');
    await untilEveryBook(replicas, newest, true, 1_000);
    const run = await tokens('revoke', '--hook', 'github', '--id', tokenId(hashToken(kept)));
    assert.equal(run.code, 0, run.err.join('\n'));
    const took = await untilEveryBook(replicas, kept, false, 1_000);
    assert.ok(took < 1_000);
    for (const { book } of replicas) assert.equal(book.tokensOf('github')?.has(newest), true);
    for (const replica of replicas) assert.equal(await metricValue(replica.metrics, 'tokenRotations', { hook: 'github' }), 4, '3 rotations + 1 revocation');
  });

  it('revoke refuses to leave a hook without a valid token, and names unknown ids', async () => {
    const newest = issued.at(-1)!;
    const last = await tokens('revoke', '--hook', 'github', '--id', tokenId(hashToken(newest)));
    assert.equal(last.code, 1);
    assert.match(last.err.join('\n'), /last valid token/);
    const unknown = await tokens('revoke', '--hook', 'github', '--id', '00000000');
    assert.equal(unknown.code, 1);
    assert.match(unknown.err.join('\n'), /no token with id 00000000/);
    for (const { book } of replicas) assert.equal(book.tokensOf('github')?.has(newest), true);
  });

  it('list shows ids, creation and expiry, and never a token', async () => {
    const run = await tokens('list', '--hook', 'github');
    assert.equal(run.code, 0);
    const text = run.out.join('\n');
    assert.match(text, /^ID\s+CREATED\s+EXPIRES/);
    assert.ok(text.includes(tokenId(hashToken(issued.at(-1)!))));
    assert.match(text, /never/);
    for (const token of issued) assert.ok(!text.includes(token), 'no token in the listing');
  });

  it('Redis holds no token in clear: not in any key, value or field', async () => {
    const admin = new Redis(server.port, '127.0.0.1');
    try {
      const dump: string[] = [];
      for (const key of await admin.keys('*')) {
        dump.push(key);
        const type = await admin.type(key);
        if (type === 'string') dump.push((await admin.get(key)) ?? '');
        else if (type === 'hash') dump.push(...Object.entries(await admin.hgetall(key)).flat());
        else assert.fail(`unexpected key type ${type} of ${key}`);
      }
      const all = dump.join('\n');
      assert.ok(all.length > 0);
      for (const token of issued) assert.ok(!all.includes(token));
    } finally {
      admin.disconnect();
    }
  });

  it('a flushed Redis is re-seeded from the configured token by the periodic resync', async () => {
    await server.cli('flushall');
    await waitFor('the token set to be seeded again', async () => (await server.cli('hkeys', `${config.prefix}:{github}:tokens`)) === hashToken(CONFIGURED_TOKEN), 3_000);
    await untilEveryBook(replicas, CONFIGURED_TOKEN, true, 1_000);
    await untilEveryBook(replicas, issued.at(-1)!, false, 1_000);
  });

  it('a restarted, empty Redis is re-seeded on reconnection, without waiting for a resync', async () => {
    // Alone under its prefix, with a resync far away: only its reconnection can re-seed.
    const alone = redisConfig({ mode: 'url', url: server.url });
    const replica = await startBook(alone, { resyncIntervalMs: 600_000 });
    extra.push(replica);
    const rotation = await rotateToken(replica.client, new RedisKeyspace(alone.prefix), 'github', 0);
    await untilEveryBook([replica], rotation.token, true, 1_000);
    await untilEveryBook([replica], CONFIGURED_TOKEN, false, 1_000);

    await server.kill();
    await server.start();
    await waitFor('the token set to be seeded again', async () => (await server.cli('hkeys', `${alone.prefix}:{github}:tokens`)) === hashToken(CONFIGURED_TOKEN), 5_000);
    await untilEveryBook([replica], CONFIGURED_TOKEN, true, 1_000);
    await untilEveryBook([replica], rotation.token, false, 1_000);
  });

  it('a configured token that differs from a seeded set is ignored, with one warning', async () => {
    const rotated = await rotate('0s');
    const other = await startBook(config, { token: 'another-configured-token-0123456789abcdef', resyncIntervalMs: 200 });
    extra.push(other);
    await sleep(500);
    assert.equal(other.book.tokensOf('github')?.has('another-configured-token-0123456789abcdef'), false);
    assert.equal(other.book.tokensOf('github')?.has(rotated), true);
    assert.equal(other.lines.filter((line) => line.event === 'token_config_ignored').length, 1, 'warned once, not at every resync');
  });

  it('after a config reload: a new token hook is seeded and honoured, a removed one is gone', async () => {
    const own = redisConfig({ mode: 'url', url: server.url });
    const replica = await startBook(own);
    extra.push(replica);
    const gitlabToken = 'gitlab-configured-token-0123456789abcdefgh';
    replica.book.setHooks([{ name: 'gitlab', token: gitlabToken } as unknown as HookConfig]);
    assert.equal(replica.book.tokensOf('github'), undefined);
    assert.equal(replica.book.tokensOf('gitlab')?.has(gitlabToken), true, 'honoured at once, from its configured token');
    await waitFor('the gitlab set to be seeded', async () => (await server.cli('hkeys', `${own.prefix}:{gitlab}:tokens`)) === hashToken(gitlabToken), 2_000);
    assert.equal(replica.book.tokensOf('gitlab')?.has(gitlabToken), true);
  });
});

describe('Redis token book at start-up', () => {
  it('the subscriber ready before the command connection: no failed load, the set loads once the connection is up', async () => {
    const own = redisConfig({ mode: 'url', url: server.url });
    const client = createRedisClient(own, undefined, { lazyConnect: true });
    const subscriber = await ready(createRedisClient(own, undefined, { subscriber: true }));
    const captured = captureLogger();
    const book = createRedisTokenBook({ client, subscriber, prefix: own.prefix, hooks: [{ name: 'github', token: CONFIGURED_TOKEN } as unknown as HookConfig], logger: captured.logger, metrics: testMetrics(['github']), startTimeoutMs: 300 });
    try {
      await book.start();
      // Subscribed, and the command connection still waits: nothing was loaded, nothing failed.
      assert.equal(client.status, 'wait');
      assert.deepEqual(captured.lines.filter((line) => line.event === 'tokens_resync_failed'), []);
      assert.equal(book.tokensOf('github')?.has(CONFIGURED_TOKEN), true, 'the configured token stands in meanwhile');
      await client.connect();
      await waitFor('the token set to be seeded', async () => (await server.cli('hkeys', `${own.prefix}:{github}:tokens`)) === hashToken(CONFIGURED_TOKEN), 2_000);
      assert.equal(captured.lines.filter((line) => line.event === 'token_seeded').length, 1);
      assert.deepEqual(captured.lines.filter((line) => line.event === 'tokens_resync_failed'), []);
    } finally {
      await book.close();
      await disconnectRedis(client);
    }
  });
});

describe('hookguard tokens (errors)', () => {
  it('without Redis configured: exit 1 and says why', async () => {
    const noRedis = writeSidecarConfig(undefined);
    try {
      const run = await runTokens(['list', '--config', noRedis.path, '--hook', 'github'], noRedis.env);
      assert.equal(run.code, 1);
      assert.match(run.err.join('\n'), /no redis section/);
    } finally {
      noRedis.remove();
    }
  });

  it('an unknown hook, a hook without token, a bad grace or a bad id: exit 1 with the reason', async () => {
    const cases: ReadonlyArray<readonly [string[], RegExp]> = [
      [['list', '--hook', 'nope'], /no hook named "nope"/],
      [['rotate', '--hook', 'plain'], /takes no URL token/],
      [['rotate', '--hook', 'github', '--grace', '1w'], /--grace "1w"/],
      [['revoke', '--hook', 'github', '--id', 'xyz'], /--id "xyz"/],
      [['revoke', '--hook', 'github'], /needs --id/],
      [['list', '--hook', 'github', '--grace', '1h'], /--grace belongs to rotate/],
      [['frobnicate', '--hook', 'github'], /unknown tokens command/],
      [['list'], /needs --hook/],
    ];
    for (const [args, message] of cases) {
      const run = await tokens(...args);
      assert.equal(run.code, 1, args.join(' '));
      assert.match(run.err.join('\n'), message, args.join(' '));
      assert.deepEqual(run.out, [], 'nothing on stdout');
    }
  });

  it('--help prints the usage on stdout and exits 0', async () => {
    const run = await runTokens(['--help'], {});
    assert.equal(run.code, 0);
    assert.match(run.out.join('\n'), /hookguard tokens rotate --config FILE --hook NAME/);
  });

  it('Redis unreachable: exit 1 quickly, naming it', async () => {
    const dead = writeSidecarConfig({ url: 'redis://127.0.0.1:1' });
    try {
      const started = Date.now();
      const run = await runTokens(['list', '--config', dead.path, '--hook', 'github'], dead.env);
      assert.equal(run.code, 1);
      assert.match(run.err.join('\n'), /cannot reach Redis \(redis:\/\/127\.0\.0\.1:1\)/);
      assert.ok(Date.now() - started < 6_000);
    } finally {
      dead.remove();
    }
  });
});
