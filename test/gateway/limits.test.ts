import { describe, it, afterEach } from 'node:test';
import assert from 'node:assert/strict';
import { startSidecar, secretsDir, type TestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';
import { send } from '../helpers/http-client.js';
import { sample, scrape } from '../helpers/metrics.js';

const SECRET = 'gitlab-limits-secret';
const TOKEN = 'tok_limits_0123456789abcdefghijklmnop';

describe('rate limits and lockout (memory state)', () => {
  const cleanups: (() => Promise<void>)[] = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0)) await cleanup();
  });

  async function start(hook: Record<string, unknown>): Promise<TestSidecar> {
    const secrets = secretsDir();
    const app = await startUpstream();
    const sidecar = await startSidecar({ upstream: app.url, hooks: [{ name: 'gitlab', path: '/hooks/gitlab', provider: 'gitlab', secrets: [secrets.secret(SECRET)], ...hook }] });
    cleanups.push(async () => {
      await sidecar.stop();
      await app.close();
      secrets.remove();
    });
    return sidecar;
  }
  const post = (sidecar: TestSidecar, token: string, localAddress?: string) =>
    send(`${sidecar.url}/hooks/gitlab`, { headers: { 'content-type': 'application/json', 'x-gitlab-token': token }, body: '{}', ...(localAddress ? { localAddress } : {}) });

  it('admits perSource points per source, then 429 with Retry-After, while another source still passes', async () => {
    const sidecar = await start({ rateLimit: { perSource: { points: 3, durationSeconds: 60 } } });
    const statuses = [];
    for (let i = 0; i < 4; i++) statuses.push((await post(sidecar, SECRET, '127.0.0.2')).status);
    assert.deepEqual(statuses, [200, 200, 200, 429]);
    const limited = await post(sidecar, SECRET, '127.0.0.2');
    assert.match(String(limited.headers['retry-after']), /^[1-9]\d*$/);
    assert.ok(Number(limited.headers['retry-after']) <= 60);
    assert.equal((await post(sidecar, SECRET, '127.0.0.3')).status, 200);
    assert.equal(sample(await scrape(sidecar.adminUrl), 'hookguard_rejections_total', { hook: 'gitlab', reason: 'rate_limited' }), 2);
  });

  it('admits perHook points across all sources', async () => {
    const sidecar = await start({ rateLimit: { perHook: { points: 2, durationSeconds: 60 } } });
    const statuses = [(await post(sidecar, SECRET, '127.0.0.4')).status, (await post(sidecar, SECRET, '127.0.0.5')).status, (await post(sidecar, SECRET, '127.0.0.6')).status];
    assert.deepEqual(statuses, [200, 200, 429]);
  });

  it('answers the failures-th failed authentication normally, then locks the source out with 429', async () => {
    const sidecar = await start({ lockout: { failures: 3, windowSeconds: 60, blockSeconds: 120 } });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await post(sidecar, 'wrong', '127.0.0.7')).status);
    assert.deepEqual(statuses, [401, 401, 401]);
    const locked = await post(sidecar, SECRET, '127.0.0.7');
    assert.equal(locked.status, 429, 'even a correct signature is refused while locked out');
    assert.ok(Number(locked.headers['retry-after']) > 60, 'the block lasts blockSeconds, not the window');
    assert.equal((await post(sidecar, 'wrong', '127.0.0.7')).status, 429);
    assert.equal((await post(sidecar, SECRET, '127.0.0.8')).status, 200, 'other sources are not affected');
    const metrics = await scrape(sidecar.adminUrl);
    assert.equal(sample(metrics, 'hookguard_rejections_total', { hook: 'gitlab', reason: 'locked_out' }), 2);
    assert.ok(sidecar.log.records().some((r) => r.event === 'locked_out' && r.source === '127.0.0.7'));
  });

  it('counts wrong URL tokens towards the lockout', async () => {
    const secrets = secretsDir();
    const app = await startUpstream();
    const sidecar = await startSidecar({ upstream: app.url, hooks: [{ name: 'ci', path: '/hooks/ci', provider: 'none', token: secrets.secret(TOKEN), lockout: { failures: 2, windowSeconds: 60, blockSeconds: 60 } }] });
    cleanups.push(async () => {
      await sidecar.stop();
      await app.close();
      secrets.remove();
    });
    const hit = (path: string) => send(`${sidecar.url}${path}`, { headers: { 'content-type': 'application/json' }, body: '{}', localAddress: '127.0.0.9' });
    assert.equal((await hit('/hooks/ci/guess1')).status, 404);
    assert.equal((await hit('/hooks/ci/guess2')).status, 404);
    assert.equal((await hit(`/hooks/ci/${TOKEN}`)).status, 429);
  });

  it('lockout: false turns it off', async () => {
    const sidecar = await start({ lockout: false });
    for (let i = 0; i < 25; i++) assert.equal((await post(sidecar, 'wrong', '127.0.0.10')).status, 401);
    assert.equal((await post(sidecar, SECRET, '127.0.0.10')).status, 200);
  });
});
