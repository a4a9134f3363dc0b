import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startRedisServer, type RedisServer } from '../helpers/redis-harness.js';
import { startUpstream } from '../helpers/upstream.js';
import { startSidecar, secretsDir, type TestSidecar } from '../helpers/sidecar.js';
import { send } from '../helpers/http-client.js';
import { commandCalls, callDelta } from '../state/support.js';

const SECRET = 'gitlab-budget-secret';
const TOKEN = 'tok_budget_0123456789abcdefghijklmnopq';
const N = 20;

/**
 * The Redis budget of an accepted delivery, counted by Redis itself (INFO commandstats): with rate
 * limits, lockout and replay protection all on, one script before the app is called (limits,
 * lockout and the replay claim together) and one after the answer (the settle, not awaited). The URL
 * token check costs nothing.
 */
describe('Redis commands per accepted delivery', () => {
  let redis: RedisServer;
  let app: Awaited<ReturnType<typeof startUpstream>>;
  let sidecar: TestSidecar;
  const secrets = secretsDir();
  const redisSeenByApp: number[] = [];

  before(async () => {
    redis = await startRedisServer();
    // The app records how many commands Redis had served when the delivery reached it.
    app = await startUpstream(async (_req, res) => {
      const calls = await commandCalls(redis.port);
      redisSeenByApp.push((calls.get('evalsha') ?? 0) + (calls.get('eval') ?? 0));
      res.writeHead(200).end();
    });
    const limits = { rateLimit: { perSource: { points: 1000, durationSeconds: 60 }, perHook: { points: 1000, durationSeconds: 60 } }, lockout: { failures: 5, windowSeconds: 60, blockSeconds: 60 } };
    sidecar = await startSidecar({
      upstream: app.url,
      redis: { url: redis.url },
      hooks: [
        { name: 'gl', path: '/gl', provider: 'gitlab', secrets: [secrets.secret(SECRET)], token: secrets.secret(TOKEN), ...limits },
        { name: 'nodedupe', path: '/nodedupe', provider: 'gitlab', secrets: [secrets.secret(SECRET)], token: secrets.secret(TOKEN), dedupe: false, ...limits },
      ],
    });
  });
  after(async () => {
    await sidecar.stop();
    await app.close();
    await redis.kill();
    secrets.remove();
  });

  const deliver = (path: string, id: string) =>
    send(`${sidecar.url}${path}/${TOKEN}`, { headers: { 'content-type': 'application/json', 'x-gitlab-token': SECRET, 'idempotency-key': id }, body: '{}' });

  it('with replay protection: one script before forwarding, one settle after, nothing else', async () => {
    await deliver('/gl', 'warm-up');
    await new Promise((r) => setTimeout(r, 50));
    const beforeCalls = await commandCalls(redis.port);
    redisSeenByApp.length = 0;
    for (let i = 0; i < N; i++) assert.equal((await deliver('/gl', `d-${i}`)).status, 200);
    await new Promise((r) => setTimeout(r, 100));
    const delta = callDelta([beforeCalls], [await commandCalls(redis.port)]);
    assert.equal(scriptsOf(delta), 2 * N, 'two scripts per delivery');
    assertNoTokenLookups(delta);
    // Between consecutive deliveries the app sees exactly 2 more scripts: the settle of the previous
    // one and the admit+claim of this one; so only one ran before this one was forwarded.
    const steps = redisSeenByApp.slice(1).map((calls, i) => calls - redisSeenByApp[i]!);
    assert.deepEqual(steps, steps.map(() => 2));
  });

  it('without replay protection: one script per delivery', async () => {
    const beforeCalls = await commandCalls(redis.port);
    for (let i = 0; i < N; i++) assert.equal((await deliver('/nodedupe', `n-${i}`)).status, 200);
    const delta = callDelta([beforeCalls], [await commandCalls(redis.port)]);
    assert.equal(scriptsOf(delta), N);
    assertNoTokenLookups(delta);
  });
});

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
