import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser } from 'playwright-core';
import { startSidecar, secretsDir, type TestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';
import { sample, scrape } from '../helpers/metrics.js';
import { launchBrowser } from '../helpers/browser.js';

const TOKEN = 'tok_browser_0123456789abcdefghijklmno';

/** The attacker's page, served from a second origin; it knows the full hook URL, token included. */
function attackerPage(hookUrl: string, formUrl: string): string {
  return `<!doctype html><html><body>
<iframe name="sink" id="sink"></iframe>
<form id="form" method="POST" action="${formUrl}" enctype="text/plain" target="sink"><input name='{"a":"' value='b"}'></form>
<script>
window.attack = async () => {
  const results = {};
  try {
    const r = await fetch(${JSON.stringify(hookUrl)}, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"from":"fetch"}' });
    results.corsFetch = { status: r.status, text: await r.text() };
  } catch (e) { results.corsFetch = { error: String(e) }; }
  try {
    const r = await fetch(${JSON.stringify(hookUrl)}, { method: 'POST', mode: 'no-cors', headers: { 'content-type': 'text/plain' }, body: '{"from":"no-cors"}' });
    results.noCorsFetch = { type: r.type, status: r.status, text: await r.text() };
  } catch (e) { results.noCorsFetch = { error: String(e) }; }
  results.beacon = navigator.sendBeacon(${JSON.stringify(hookUrl)}, '{"from":"beacon"}');
  document.getElementById('form').submit();
  return results;
};
</script></body></html>`;
}

describe('requests made by a real browser (headless Chromium)', () => {
  const secrets = secretsDir();
  let app: Awaited<ReturnType<typeof startUpstream>>;
  let sidecar: TestSidecar;
  let attacker: http.Server;
  let browser: Browser;

  before(async () => {
    app = await startUpstream();
    sidecar = await startSidecar({
      upstream: app.url,
      hooks: [
        // The worst case: a leaked URL token, and a hook that accepts the form-able types on purpose.
        { name: 'leaky', path: '/hooks/leaky', provider: 'none', token: secrets.secret(TOKEN), contentTypes: ['application/json', 'text/plain', 'application/x-www-form-urlencoded'], lockout: false },
      ],
    });
    attacker = http.createServer((_req, res) => {
      const hook = `${sidecar.url.replace('127.0.0.1', 'localhost')}/hooks/leaky/${TOKEN}`;
      res.writeHead(200, { 'content-type': 'text/html' }).end(attackerPage(hook, hook));
    });
    await new Promise<void>((resolve) => attacker.listen(0, '127.0.0.1', resolve));
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    await new Promise<void>((resolve) => attacker.close(() => resolve()));
    await sidecar.stop();
    await app.close();
    secrets.remove();
  });

  it('lets no fetch, no-cors fetch, beacon or form post reach the app, counts each, and lets the page read nothing', async () => {
    const page = await browser.newPage();
    await page.goto(`http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`);
    const results = (await page.evaluate('window.attack()')) as Record<string, Record<string, unknown> | boolean>;

    // The CORS fetch is preflighted: OPTIONS gets 405 with no CORS header, so the browser never sends the POST.
    assert.match(String((results.corsFetch as Record<string, unknown>).error), /TypeError/);
    // no-cors gives the page an opaque response: no status, no body.
    assert.deepEqual(results.noCorsFetch, { type: 'opaque', status: 0, text: '' });
    assert.equal(results.beacon, true, 'the browser queued the beacon');

    // Three POSTs reach the sidecar (no-cors fetch, beacon, form) and one preflight.
    const deadline = Date.now() + 10_000;
    let metrics = '';
    while (Date.now() < deadline) {
      metrics = await scrape(sidecar.adminUrl);
      if (sample(metrics, 'hookguard_rejections_total', { hook: 'leaky', reason: 'origin' }) >= 3) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.equal(sample(metrics, 'hookguard_rejections_total', { hook: 'leaky', reason: 'origin' }), 3);
    assert.equal(sample(metrics, 'hookguard_rejections_total', { hook: 'leaky', reason: 'method' }), 1, 'the preflight');
    assert.equal(sample(metrics, 'hookguard_requests_total', { hook: 'leaky', outcome: 'accepted' }), 0);
    assert.equal(app.received.length, 0, 'nothing reached the app');
    const lines = sidecar.log.records().filter((r) => r.event === 'rejected' && r.reason === 'origin');
    assert.equal(lines.length, 3);
    for (const line of lines) assert.ok((line.headers as string[]).includes('sec-fetch-site'), JSON.stringify(line));
    await page.close();
  });
});
