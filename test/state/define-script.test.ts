import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startRedisServer, waitFor, type RedisServer } from '../helpers/redis-harness.js';
import { createRedisClient, type RedisClient } from '../../src/state/redis/create-redis-client.js';
import { disconnectRedis } from '../../src/state/redis/disconnect-redis.js';
import { defineScript } from '../../src/state/redis/define-script.js';
import { ready, redisConfig } from './support.js';

const ECHO_LUA = "redis.call('SET', KEYS[1], ARGV[1]); return {#KEYS, #ARGV, redis.call('GET', KEYS[1])}";

/** Calls of one command since the server started or was reset (INFO commandstats). */
async function calls(server: RedisServer, command: string): Promise<number> {
  const match = new RegExp(`cmdstat_${command}:calls=(\\d+)`).exec(await server.cli('info', 'commandstats'));
  return match ? Number(match[1]) : 0;
}

describe('defineScript: EVALSHA, and EVAL only when Redis lost the script', () => {
  let server: RedisServer;
  let client: RedisClient;

  before(async () => {
    server = await startRedisServer();
    client = await ready(createRedisClient(redisConfig({ mode: 'url', url: server.url }, { commandTimeoutMs: 2_000 })));
  });

  after(async () => {
    await disconnectRedis(client);
    await server?.kill();
  });

  it('passes keys and arguments in order, a variable number of each', async () => {
    const script = defineScript(client, 'testEcho', 'variable', ECHO_LUA);
    assert.deepEqual(await script(['{t}:a', '{t}:b', '{t}:c'], ['v1', 2]), [3, 2, 'v1']);
    assert.deepEqual(await script(['{t}:a'], [7]), [1, 1, '7']);
  });

  it('one EVAL loads it, then every call is one EVALSHA', async () => {
    await server.cli('script', 'flush');
    await server.cli('config', 'resetstat');
    const script = defineScript(client, 'testEcho', 'variable', ECHO_LUA);
    for (let n = 0; n < 5; n++) await script(['{t}:a'], [n]);
    assert.equal(await calls(server, 'eval'), 1, 'loaded once, after the first NOSCRIPT');
    assert.equal(await calls(server, 'evalsha'), 5);
  });

  it('still answers after Redis restarted empty (no script cache)', async () => {
    const script = defineScript(client, 'testEcho', 'variable', ECHO_LUA);
    await server.kill();
    await server.start();
    await waitFor('the client to reconnect', async () => client.status === 'ready', 5_000);
    assert.deepEqual(await script(['{t}:after-restart'], ['x']), [1, 1, 'x']);
  });

  it('is defined once per client and name', () => {
    assert.equal(defineScript(client, 'testEcho', 'variable', ECHO_LUA), defineScript(client, 'testEcho', 'variable', ECHO_LUA));
  });

  it('a fixed key count is checked before anything is sent', async () => {
    const script = defineScript(client, 'testEchoOneKey', 1, ECHO_LUA);
    await server.cli('config', 'resetstat');
    await assert.rejects(script(['{t}:a', '{t}:b'], ['x']), /takes 1 keys, given 2/);
    assert.equal((await calls(server, 'evalsha')) + (await calls(server, 'eval')), 0);
    assert.deepEqual(await script(['{t}:a'], ['y']), [1, 1, 'y']);
  });

  it('an error raised by the script reaches the caller as it is, and is not retried as EVAL', async () => {
    const failing = defineScript(client, 'testFailing', 0, "return redis.error_reply('HGFAIL on purpose')");
    await failing([], []).catch(() => undefined); // loads it
    await server.cli('config', 'resetstat');
    await assert.rejects(failing([], []), /HGFAIL on purpose/);
    assert.equal(await calls(server, 'eval'), 0);
    assert.equal(await calls(server, 'evalsha'), 1);
  });
});
