import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startRedisServer } from '../helpers/redis-harness.js';
import { startUpstream } from '../helpers/upstream.js';
import { startSidecar, secretsDir } from '../helpers/sidecar.js';
import { send } from '../helpers/http-client.js';
import { sample, scrape } from '../helpers/metrics.js';

const SECRET = 'gitlab-outage-secret';

async function scenario(onError: 'open' | 'closed') {
  const redis = await startRedisServer();
  const app = await startUpstream();
  const secrets = secretsDir();
  const sidecar = await startSidecar({
    upstream: app.url,
    redis: { url: redis.url, onError, timeoutMs: 200 },
    hooks: [{ name: 'gl', path: '/gl', provider: 'gitlab', secrets: [secrets.secret(SECRET)], rateLimit: { perSource: { points: 10_000, durationSeconds: 60 } } }],
  });
  let n = 0;
  const deliver = async () => {
    const started = Date.now();
    const answer = await send(`${sidecar.url}/gl`, { headers: { 'content-type': 'application/json', 'x-gitlab-token': SECRET, 'idempotency-key': `d-${onError}-${n++}` }, body: '{}' });
    return { status: answer.status, retryAfter: answer.headers['retry-after'], ms: Date.now() - started };
  };
  const cleanup = async () => {
    await sidecar.stop();
    await app.close();
    await redis.kill();
    secrets.remove();
  };
  return { redis, sidecar, deliver, cleanup };
}

async function until(what: string, check: () => Promise<boolean>, ms = 10_000) {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    assert.ok(Date.now() < deadline, what);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Redis killed and restarted under a running sidecar', () => {
  it('onError: open keeps accepting signed deliveries without waiting long, then recovers by itself', async () => {
    const s = await scenario('open');
    try {
      assert.equal((await s.deliver()).status, 200);
      assert.equal(sample(await scrape(s.sidecar.adminUrl), 'hookguard_redis_up'), 1);
      await s.redis.kill();
      const during = [];
      for (let i = 0; i < 20; i++) during.push(await s.deliver());
      assert.deepEqual([...new Set(during.map((d) => d.status))], [200], 'no signed delivery is refused');
      assert.ok(Math.max(...during.map((d) => d.ms)) < 1_500, `a request waited ${Math.max(...during.map((d) => d.ms))} ms on a dead Redis`);
      await until('redis_up reads 0 while Redis is down', async () => sample(await scrape(s.sidecar.adminUrl), 'hookguard_redis_up') === 0);
      assert.equal((await fetch(`${s.sidecar.adminUrl}/readyz`)).status, 200, 'ready: open mode stands in with memory');
      await s.redis.start();
      await until('redis_up reads 1 again', async () => sample(await scrape(s.sidecar.adminUrl), 'hookguard_redis_up') === 1);
      assert.equal((await s.deliver()).status, 200);
    } finally {
      await s.cleanup();
    }
  });

  it('onError: closed answers 503 with Retry-After, turns unready, and recovers by itself', async () => {
    const s = await scenario('closed');
    try {
      assert.equal((await s.deliver()).status, 200);
      await s.redis.kill();
      await until('requests get 503 while Redis is down', async () => (await s.deliver()).status === 503);
      const refused = await s.deliver();
      assert.equal(refused.status, 503);
      assert.match(String(refused.retryAfter), /^[1-9]\d*$/);
      assert.ok(refused.ms < 1_500);
      const metrics = await scrape(s.sidecar.adminUrl);
      assert.ok(sample(metrics, 'hookguard_rejections_total', { hook: 'gl', reason: 'unavailable' }) >= 2);
      assert.equal(sample(metrics, 'hookguard_rejections_total', { hook: 'gl', reason: 'rate_limited' }), 0, 'an outage is never a 429');
      assert.equal((await fetch(`${s.sidecar.adminUrl}/readyz`)).status, 503);
      await s.redis.start();
      await until('deliveries are accepted again', async () => (await s.deliver()).status === 200);
      assert.equal((await fetch(`${s.sidecar.adminUrl}/readyz`)).status, 200);
    } finally {
      await s.cleanup();
    }
  });
});
