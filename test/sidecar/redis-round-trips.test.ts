import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Redis } from 'ioredis';
import { startRedisServer, waitFor, type RedisServer } from '../helpers/redis-harness.js';
import { startUpstream } from '../helpers/upstream.js';
import { startSidecar, secretsDir, type TestSidecar } from '../helpers/sidecar.js';
import { send } from '../helpers/http-client.js';
import { commandCalls, callDelta } from '../state/support.js';
import { ADMIT_BATCH_LUA } from '../../src/state/redis/admit-script.js';

const SECRET = 'gitlab-budget-secret';
const TOKEN = 'tok_budget_0123456789abcdefghijklmnopq';
const N = 40;

/** One script call as Redis saw it (MONITOR): its keys, split into its own and the settles it carried. */
interface ScriptCall {
  /** EVALSHA's digest, or EVAL's script text. */
  readonly script: string;
  readonly keys: readonly string[];
  readonly args: readonly string[];
}

/**
 * The Redis budget of an accepted delivery, counted by Redis itself (INFO commandstats), with rate
 * limits, lockout and replay protection all on: one script before the app is called (limits,
 * lockout and the replay claim together), which also carries the settle of the delivery before it;
 * nothing after the answer. A settle that no script of its hook came to carry within the delay is
 * written by a timer as a batch of its own: in a steady stream only the last one. MONITOR tells
 * which script carried what. The URL token check costs nothing.
 */
describe('Redis commands per accepted delivery', () => {
  let redis: RedisServer;
  let app: Awaited<ReturnType<typeof startUpstream>>;
  let sidecar: TestSidecar;
  let monitor: Redis;
  let monitorBase: Redis;
  const seen: ScriptCall[] = [];
  const secrets = secretsDir();

  before(async () => {
    redis = await startRedisServer();
    app = await startUpstream((_req, res) => void res.writeHead(200).end());
    const limits = { rateLimit: { perSource: { points: 1000, durationSeconds: 60 }, perHook: { points: 1000, durationSeconds: 60 } }, lockout: { failures: 5, windowSeconds: 60, blockSeconds: 60 } };
    sidecar = await startSidecar({
      upstream: app.url,
      redis: { url: redis.url },
      hooks: [
        { name: 'gl', path: '/gl', provider: 'gitlab', secrets: [secrets.secret(SECRET)], token: secrets.secret(TOKEN), ...limits },
        { name: 'nodedupe', path: '/nodedupe', provider: 'gitlab', secrets: [secrets.secret(SECRET)], token: secrets.secret(TOKEN), dedupe: false, ...limits },
      ],
    });
    monitorBase = new Redis({ host: '127.0.0.1', port: redis.port });
    monitor = await monitorBase.monitor();
    monitor.on('monitor', (_time: string, args: string[], source: string) => {
      const [command, script, numkeys, ...rest] = args;
      // Scripts sent by a client; the commands they run show up with source "lua".
      const name = command?.toLowerCase();
      if (source === 'lua' || (name !== 'evalsha' && name !== 'eval')) return;
      const count = Number(numkeys);
      seen.push({ script: script ?? '', keys: rest.slice(0, count), args: rest.slice(count) });
    });
  });
  after(async () => {
    monitor?.disconnect();
    monitorBase?.disconnect();
    await sidecar.stop();
    await app.close();
    await redis.kill();
    secrets.remove();
  });

  const deliver = (path: string, id: string) =>
    send(`${sidecar.url}${path}/${TOKEN}`, { headers: { 'content-type': 'application/json', 'x-gitlab-token': SECRET, 'idempotency-key': id }, body: '{}' });

  /** Record keys a script settled: the keys after its own (admit+claim has 4, a settle batch none). */
  const settledBy = (call: ScriptCall): string[] => call.keys.slice(ownKeys(call));
  const written = (id: string) => seen.some((call) => settledBy(call).some((key) => key.endsWith(`:replay:${id}`)));

  it('with replay protection: one script per delivery, before forwarding, carrying the previous settle; nothing else', async (t) => {
    assert.equal((await deliver('/gl', 'warm-up')).status, 200);
    await waitFor('the warm-up settle written', () => written('warm-up'), 5_000, 10);
    const beforeCalls = await commandCalls(redis.port);
    const from = seen.length;
    for (let i = 0; i < N; i++) assert.equal((await deliver('/gl', `d-${i}`)).status, 200);
    // The last settle has no later script to ride on: the timer writes it.
    await waitFor('the last settle written', () => written(`d-${N - 1}`), 5_000, 10);
    const delta = callDelta([beforeCalls], [await commandCalls(redis.port)]);
    const calls = seen.slice(from);

    const admits = calls.filter((call) => ownKeys(call) === 4);
    const batches = calls.filter((call) => ownKeys(call) === 0);
    assert.equal(scriptsOf(delta), calls.length, 'MONITOR saw every script that commandstats counted');
    assert.equal(calls.length, admits.length + batches.length, 'no other script (no claim of its own, no settle of its own)');
    // Before forwarding: exactly one script per delivery, its admit+claim.
    assert.deepEqual(admits.map((call) => call.keys[3]!.replace(/^.*:replay:/, '')), Array.from({ length: N }, (_, i) => `d-${i}`));
    // Every settle written exactly once, as done, by whichever script came first.
    const settles = calls.flatMap((call) => settledBy(call).map((key, j) => ({ id: key.replace(/^.*:replay:/, ''), accepted: call.args[call.args.length - 3 * (settledBy(call).length - j) + 1] })));
    assert.deepEqual(settles.map((s) => s.id).sort(), Array.from({ length: N }, (_, i) => `d-${i}`).sort());
    assert.ok(settles.every((s) => s.accepted === '1'));
    // The timer only writes what no script of the hook came to carry: in a sequential stream the last
    // settle, and one more for any gap between two deliveries longer than the delay (a busy machine).
    assert.ok(batches.length >= 1 && batches.length <= Math.max(2, N / 4), `${batches.length} settle batches for ${N} deliveries`);
    const perDelivery = scriptsOf(delta) / N;
    assert.ok(perDelivery <= 1 + batches.length / N);
    assertNoTokenLookups(delta);
    const commands = [...delta.values()].reduce((sum, calls) => sum + calls, 0);
    // Commands per delivery inside the scripts: lockout GET, INCR per window, the claim's SET NX, the
    // settle's SET done; EXPIRE only for a new window, PTTL only when refused.
    assert.deepEqual([...delta.keys()].filter((command) => !['evalsha', 'eval', 'get', 'incr', 'set', 'expire'].includes(command)), []);
    assert.ok(commands / N <= 6 + batches.length / N, `${commands} commands for ${N} deliveries`);
    t.diagnostic(`${N} deliveries: ${(scriptsOf(delta) / N).toFixed(3)} scripts and ${(commands / N).toFixed(3)} Redis commands per delivery, ${batches.length} timer batch(es)`);
  });

  it('without replay protection: one script per delivery', async () => {
    const beforeCalls = await commandCalls(redis.port);
    for (let i = 0; i < N; i++) assert.equal((await deliver('/nodedupe', `n-${i}`)).status, 200);
    const delta = callDelta([beforeCalls], [await commandCalls(redis.port)]);
    assert.equal(scriptsOf(delta), N);
    assertNoTokenLookups(delta);
  });
});

const ADMIT_BATCH_SHA = createHash('sha1').update(ADMIT_BATCH_LUA).digest('hex');

/**
 * The script's own keys (the settles it carried come after them). The admit script says how many
 * deliveries it carries and each one's key count (admit-script.ts). For the others, each carried
 * settle adds one key and three arguments, so three arguments per key less the script's own
 * shortfall tells them apart: a claim of its own has 1 key and 2 arguments (1 short), a settle
 * batch none.
 */
function ownKeys(call: ScriptCall): number {
  // MONITOR prints an EVAL's script with its line breaks escaped.
  if (call.script === ADMIT_BATCH_SHA || call.script.replaceAll('\\n', '\n') === ADMIT_BATCH_LUA) {
    let keys = 0;
    let at = 1;
    for (let j = 0; j < Number(call.args[0]); j++) {
      const count = Number(call.args[at]);
      keys += count;
      at += 1 + (count === 4 ? 7 : 5);
    }
    return keys;
  }
  const own = new Map([[1, 1], [0, 0]]).get(3 * call.keys.length - call.args.length);
  assert.ok(own !== undefined, `a script of an unknown shape: ${JSON.stringify(call)}`);
  return own;
}

/**
 * Client round trips are the scripts (EVALSHA, or EVAL the first time a script is sent); the plain
 * commands in commandstats ran inside them. Commands a client could send outside a script (token
 * hash reads, pub/sub) must not appear.
 */
function scriptsOf(delta: Map<string, number>): number {
  return (delta.get('evalsha') ?? 0) + (delta.get('eval') ?? 0);
}

function assertNoTokenLookups(delta: Map<string, number>): void {
  for (const command of ['hgetall', 'hget', 'hmget', 'hexists', 'exists', 'multi', 'exec']) assert.equal(delta.get(command), undefined, `${command} on the request path`);
}
