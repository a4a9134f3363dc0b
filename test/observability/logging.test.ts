import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startSidecar, secretsDir } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';
import { send } from '../helpers/http-client.js';
import { sample, scrape } from '../helpers/metrics.js';

const SECRET = 'gl-secret-that-must-never-be-logged';
const TOKEN = 'tok_must_never_be_logged_0123456789abc';

describe('logging', () => {
  it('never writes a configured secret, URL token or credential header into any line, even at debug', async () => {
    const secrets = secretsDir();
    const app = await startUpstream();
    const sidecar = await startSidecar(
      {
        upstream: app.url,
        hooks: [
          { name: 'gitlab', path: '/hooks/gitlab', provider: 'gitlab', secrets: [secrets.secret(SECRET)], lockout: { failures: 2, windowSeconds: 60, blockSeconds: 60 } },
          { name: 'ci', path: '/hooks/ci', provider: 'none', token: secrets.secret(TOKEN) },
        ],
      },
      { logLevel: 'trace' },
    );
    try {
      const json = { 'content-type': 'application/json' };
      await send(`${sidecar.url}/hooks/gitlab`, { headers: { ...json, 'x-gitlab-token': SECRET, authorization: 'Bearer abc-credential' }, body: '{}' });
      await send(`${sidecar.url}/hooks/gitlab`, { headers: { ...json, 'x-gitlab-token': `${SECRET}x`, cookie: 'session=cookie-value' }, body: '{}' });
      await send(`${sidecar.url}/hooks/gitlab`, { headers: { ...json, 'x-gitlab-token': SECRET.slice(0, -1) }, body: '{}' });
      await send(`${sidecar.url}/hooks/ci/${TOKEN}`, { headers: json, body: '{}' });
      await send(`${sidecar.url}/hooks/ci/${TOKEN}x`, { headers: json, body: '{}' });
      await send(`${sidecar.url}/hooks/cj/${TOKEN}`, { headers: json, body: '{}' });
      await send(`${sidecar.url}/hooks/ci/${TOKEN}`, { method: 'GET' });
      sidecar.handle.deps.rejections.flush();
      const text = sidecar.log.text();
      assert.ok(sidecar.log.lines.length >= 6, 'the requests above were logged');
      for (const needle of [SECRET, SECRET.slice(0, 20), TOKEN, TOKEN.slice(0, 24), 'abc-credential', 'cookie-value']) {
        assert.ok(!text.includes(needle), `log contains ${needle}`);
      }
    } finally {
      await sidecar.stop();
      await app.close();
      secrets.remove();
    }
  });

  it('keeps log volume bounded under a flood: a burst per reason and source, then one summary with the count', async () => {
    const secrets = secretsDir();
    const app = await startUpstream();
    const sidecar = await startSidecar({ upstream: app.url, hooks: [{ name: 'gitlab', path: '/hooks/gitlab', provider: 'gitlab', secrets: [secrets.secret(SECRET)], lockout: false }] });
    try {
      for (let i = 0; i < 200; i++) await send(`${sidecar.url}/hooks/gitlab`, { headers: { 'content-type': 'application/json', 'x-gitlab-token': 'forged' }, body: '{}' });
      const rejected = sidecar.log.records().filter((r) => r.event === 'rejected' && r.reason === 'signature');
      assert.equal(rejected.length, 5);
      sidecar.handle.deps.rejections.flush();
      const summaries = sidecar.log.records().filter((r) => r.event === 'rejected_summary' && r.reason === 'signature');
      assert.equal(summaries.length, 1);
      assert.equal(summaries[0]!.suppressed, 195);
      assert.equal(summaries[0]!.source, '127.0.0.1');
      const metrics = await scrape(sidecar.adminUrl);
      assert.equal(sample(metrics, 'hookguard_rejections_total', { hook: 'gitlab', reason: 'signature' }), 200, 'every rejection is still counted');
      assert.equal(sample(metrics, 'hookguard_suppressed_log_lines_total', { reason: 'signature' }), 195);
    } finally {
      await sidecar.stop();
      await app.close();
      secrets.remove();
    }
  });
});
