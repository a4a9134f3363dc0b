import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSidecar, secretsDir, type TestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';
import { send } from '../helpers/http-client.js';
import { sample, scrape } from '../helpers/metrics.js';

const SECRET = 'gitlab-ua-secret';

describe('expected User-Agent per provider', () => {
  const secrets = secretsDir();
  let app: Awaited<ReturnType<typeof startUpstream>>;
  let sidecar: TestSidecar;
  before(async () => {
    app = await startUpstream();
    sidecar = await startSidecar({
      upstream: app.url,
      hooks: [
        { name: 'lenient', path: '/lenient', provider: 'gitlab', secrets: [secrets.secret(SECRET)] },
        { name: 'strict', path: '/strict', provider: 'gitlab', secrets: [secrets.secret(SECRET)], userAgent: { reject: true } },
        { name: 'custom', path: '/custom', provider: 'gitlab', secrets: [secrets.secret(SECRET)], userAgent: { pattern: '^Acme/', reject: true } },
        { name: 'off', path: '/off', provider: 'gitlab', secrets: [secrets.secret(SECRET)], userAgent: false },
      ],
    });
  });
  after(async () => {
    await sidecar.stop();
    await app.close();
    secrets.remove();
  });
  const post = (path: string, userAgent: string) => send(`${sidecar.url}${path}`, { headers: { 'content-type': 'application/json', 'x-gitlab-token': SECRET, 'user-agent': userAgent }, body: '{}' });

  it("lets the provider's own User-Agent through silently", async () => {
    assert.equal((await post('/lenient', 'GitLab/17.5.0')).status, 200);
    assert.equal(sample(await scrape(sidecar.adminUrl), 'hookguard_suspicious_requests_total', { hook: 'lenient', reason: 'user_agent' }), 0);
  });

  it('lets a mismatch through by default, but logs and counts it as suspicious', async () => {
    assert.equal((await post('/lenient', 'curl/8.0')).status, 200);
    assert.equal(sample(await scrape(sidecar.adminUrl), 'hookguard_suspicious_requests_total', { hook: 'lenient', reason: 'user_agent' }), 1);
    const line = sidecar.log.records().find((r) => r.event === 'suspicious' && r.hook === 'lenient')!;
    assert.equal(line.userAgent, 'curl/8.0');
  });

  it('refuses a mismatch with 400 when the hook says reject', async () => {
    assert.equal((await post('/strict', 'curl/8.0')).status, 400);
    assert.equal((await post('/strict', 'GitLab/17.5.0')).status, 200);
    assert.equal(sample(await scrape(sidecar.adminUrl), 'hookguard_rejections_total', { hook: 'strict', reason: 'header' }), 1);
  });

  it('takes a pattern of its own', async () => {
    assert.equal((await post('/custom', 'GitLab/17.5.0')).status, 400);
    assert.equal((await post('/custom', 'Acme/2')).status, 200);
  });

  it('userAgent: false turns the check off', async () => {
    assert.equal((await post('/off', 'anything')).status, 200);
    assert.equal(sample(await scrape(sidecar.adminUrl), 'hookguard_suspicious_requests_total', { hook: 'off', reason: 'user_agent' }), 0);
  });
});
