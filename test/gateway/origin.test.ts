import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSidecar, secretsDir, type TestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';
import { send } from '../helpers/http-client.js';
import { sample, scrape } from '../helpers/metrics.js';

const TOKEN = 'tok_origin_0123456789abcdefghijklmnop';
const ALLOWED = 'https://partner.example';

describe('the origin check (CSRF)', () => {
  const secrets = secretsDir();
  let app: Awaited<ReturnType<typeof startUpstream>>;
  let sidecar: TestSidecar;
  let source = 20;
  // Each case from its own loopback address, so the lockout of one case does not leak into the next.
  const post = (headers: Record<string, string>, path = `/hooks/ci/${TOKEN}`) =>
    send(`${sidecar.url}${path}`, { headers: { 'content-type': 'application/json', ...headers }, body: '{}', localAddress: `127.0.1.${source++}` });

  before(async () => {
    app = await startUpstream();
    sidecar = await startSidecar({
      upstream: app.url,
      hooks: [
        { name: 'ci', path: '/hooks/ci', provider: 'none', token: secrets.secret(TOKEN), origins: [ALLOWED] },
        { name: 'strict', path: '/hooks/strict', provider: 'none', token: secrets.secret(TOKEN), lockout: { failures: 2, windowSeconds: 60, blockSeconds: 60 } },
      ],
    });
  });
  after(async () => {
    await sidecar.stop();
    await app.close();
    secrets.remove();
  });

  const cases: { name: string; headers: Record<string, string>; status: number; offending?: string[] }[] = [
    { name: 'no browser header at all passes', headers: {}, status: 200 },
    { name: 'an Origin listed in origins passes', headers: { origin: ALLOWED }, status: 200 },
    { name: 'an Origin not listed is 403', headers: { origin: 'https://evil.example' }, status: 403, offending: ['origin'] },
    { name: 'Origin: null (sandboxed frames, file://) is 403', headers: { origin: 'null' }, status: 403, offending: ['origin'] },
    { name: 'an allowed Origin with a different scheme is 403', headers: { origin: 'http://partner.example' }, status: 403, offending: ['origin'] },
    { name: 'Sec-Fetch-Site alone is 403', headers: { 'sec-fetch-site': 'cross-site' }, status: 403, offending: ['sec-fetch-site'] },
    { name: 'Sec-Fetch-Mode alone is 403', headers: { 'sec-fetch-mode': 'no-cors' }, status: 403, offending: ['sec-fetch-mode'] },
    { name: 'Sec-Fetch-* is 403 even with an allowed Origin', headers: { origin: ALLOWED, 'sec-fetch-site': 'same-site', 'sec-fetch-mode': 'cors' }, status: 403, offending: ['sec-fetch-site', 'sec-fetch-mode'] },
    { name: 'a Cookie is 403', headers: { cookie: 'session=s3cr3t-cookie' }, status: 403, offending: ['cookie'] },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const before = sample(await scrape(sidecar.adminUrl), 'hookguard_rejections_total', { hook: 'ci', reason: 'origin' });
      const answer = await post(c.headers);
      assert.equal(answer.status, c.status);
      assert.equal(Object.keys(answer.headers).filter((h) => h.startsWith('access-control-')).length, 0);
      const after = sample(await scrape(sidecar.adminUrl), 'hookguard_rejections_total', { hook: 'ci', reason: 'origin' });
      assert.equal(after, before + (c.status === 403 ? 1 : 0));
      if (c.offending) {
        const line = sidecar.log.records().filter((r) => r.event === 'rejected' && r.reason === 'origin').at(-1)!;
        assert.deepEqual(line.headers, c.offending);
        assert.ok(!sidecar.log.text().includes('s3cr3t-cookie'), 'cookie values are never logged');
      }
    });
  }

  it('counts a browser request as a failed authentication towards the lockout', async () => {
    const from = '127.0.2.1';
    const hit = (headers: Record<string, string>) => send(`${sidecar.url}/hooks/strict/${TOKEN}`, { headers: { 'content-type': 'application/json', ...headers }, body: '{}', localAddress: from });
    assert.equal((await hit({ origin: 'https://evil.example' })).status, 403);
    assert.equal((await hit({ cookie: 'a=b' })).status, 403);
    assert.equal((await hit({})).status, 429);
  });

  for (const type of ['application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'text/plain;charset=UTF-8']) {
    it(`refuses the form-able type ${type} with 415 unless the hook lists it`, async () => {
      assert.equal((await post({ 'content-type': type })).status, 415);
    });
  }

  it('answers OPTIONS with 405 and no CORS headers', async () => {
    const answer = await send(`${sidecar.url}/hooks/ci/${TOKEN}`, { method: 'OPTIONS', headers: { origin: ALLOWED, 'access-control-request-method': 'POST' } });
    assert.equal(answer.status, 405);
    assert.equal(answer.headers.allow, 'POST');
    assert.equal(Object.keys(answer.headers).filter((h) => h.startsWith('access-control-')).length, 0);
  });
});
