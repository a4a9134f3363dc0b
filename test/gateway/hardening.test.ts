import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSidecar, secretsDir } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';
import { send } from '../helpers/http-client.js';
import { sample, scrape } from '../helpers/metrics.js';

const TOKEN = 'tok_hardening_0123456789abcdefghijklm';

describe('server hardening', () => {
  it('answers 503 with Retry-After above maxInFlight concurrent requests, and serves again after', async () => {
    const secrets = secretsDir();
    const app = await startUpstream((_req, res) => void setTimeout(() => res.writeHead(200).end(), 300));
    const sidecar = await startSidecar({ upstream: app.url, maxInFlight: 2, hooks: [{ name: 'ci', path: '/hooks/ci', provider: 'none', token: secrets.secret(TOKEN) }] });
    try {
      const post = () => send(`${sidecar.url}/hooks/ci/${TOKEN}`, { headers: { 'content-type': 'application/json' }, body: '{}' });
      const first = [post(), post()];
      while (app.received.length < 2) await new Promise((r) => setTimeout(r, 5));
      const third = await post();
      assert.equal(third.status, 503);
      assert.equal(third.headers['retry-after'], '1');
      assert.deepEqual((await Promise.all(first)).map((a) => a.status), [200, 200]);
      assert.equal((await post()).status, 200);
      assert.equal(sample(await scrape(sidecar.adminUrl), 'hookguard_rejections_total', { hook: 'unmatched', reason: 'unavailable' }), 1);
    } finally {
      await sidecar.stop();
      await app.close();
      secrets.remove();
    }
  });
});

describe('the admin port', () => {
  it('serves /healthz, /readyz and /metrics with every contract series at zero from the start', async () => {
    const secrets = secretsDir();
    const app = await startUpstream();
    const sidecar = await startSidecar({ upstream: app.url, hooks: [{ name: 'ci', path: '/hooks/ci', provider: 'none', token: secrets.secret(TOKEN) }] });
    try {
      assert.equal((await fetch(`${sidecar.adminUrl}/healthz`)).status, 200);
      const ready = await fetch(`${sidecar.adminUrl}/readyz`);
      assert.equal(ready.status, 200);
      assert.match(await ready.text(), /ready: 1 hooks, state memory/);
      const metrics = await scrape(sidecar.adminUrl);
      for (const name of ['hookguard_requests_total', 'hookguard_rejections_total', 'hookguard_request_duration_seconds_bucket', 'hookguard_redis_up', 'process_cpu_seconds_total']) {
        assert.ok(metrics.includes(`${name}`), `${name} is exported`);
      }
      assert.match(metrics, /hookguard_rejections_total\{hook="ci",reason="signature"\} 0/);
      assert.match(metrics, /hookguard_requests_total\{hook="unmatched",outcome="accepted"\} 0/);
      assert.equal((await fetch(`${sidecar.adminUrl}/nope`)).status, 404);
      assert.equal((await fetch(`${sidecar.adminUrl}/metrics`, { method: 'POST' })).status, 405);
    } finally {
      await sidecar.stop();
      await app.close();
      secrets.remove();
    }
  });
});
