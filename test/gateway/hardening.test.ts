import { describe, it } from 'node:test';
import { connect } from 'node:net';
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

describe('the body budget (maxBufferedBodyBytes)', () => {
  it('answers 503 before reading a body that does not fit beside those held, and serves it once they are given back', async () => {
    const secrets = secretsDir();
    // The app holds every delivery for 400 ms, so the bodies before it are still held.
    const app = await startUpstream((_req, res) => void setTimeout(() => res.writeHead(200).end(), 400));
    const sidecar = await startSidecar({
      upstream: app.url,
      maxBufferedBodyBytes: 100_000,
      hooks: [{ name: 'ci', path: '/hooks/ci', provider: 'none', token: secrets.secret(TOKEN), maxBodyBytes: 60_000, contentTypes: ['application/octet-stream'] }],
    });
    try {
      const post = (bytes: number, chunked = false) =>
        send(`${sidecar.url}/hooks/ci/${TOKEN}`, {
          headers: { 'content-type': 'application/octet-stream', ...(chunked ? {} : { 'content-length': String(bytes) }) },
          body: Buffer.alloc(bytes, 7),
        });
      const unavailable = async () => sample(await scrape(sidecar.adminUrl), 'hookguard_rejections_total', { hook: 'ci', reason: 'unavailable' });
      /** Until the app has received `count` deliveries (it then holds the last one for 400 ms). */
      const received = async (count: number) => {
        const deadline = Date.now() + 5_000;
        while (app.received.length < count) {
          assert.ok(Date.now() < deadline, `the app received ${app.received.length} of ${count} deliveries`);
          await new Promise((r) => setTimeout(r, 5));
        }
      };
      const held = post(60_000);
      await received(1);

      // 60,000 held: another 60,000 does not fit in 100,000, 30,000 does.
      const refused = await post(60_000);
      assert.equal(refused.status, 503);
      assert.equal(refused.headers['retry-after'], '1');
      assert.equal(refused.headers.connection, 'close', 'the body was never read: the connection goes');
      // A chunked body counts as the hook's maxBodyBytes (60,000) until it has arrived.
      assert.equal((await post(10_000, true)).status, 503);
      assert.equal(await unavailable(), 2);
      const logged = sidecar.log.records().find((record) => record.event === 'rejected' && record.cause === 'body_budget');
      assert.deepEqual([logged?.reason, logged?.status, logged?.wanted, logged?.held, logged?.budget], ['unavailable', 503, 60_000, 60_000, 100_000]);
      const beside = post(30_000);
      assert.equal((await held).status, 200);
      assert.equal((await beside).status, 200);

      // Everything given back (a chunked body keeps only its real size while held): two bodies
      // that fill the budget together are both served, then a chunked one and a 50,000 one.
      assert.deepEqual((await Promise.all([post(50_000), post(50_000)])).map((answer) => answer.status), [200, 200]);
      const chunked = post(10_000, true);
      await received(5);
      assert.equal((await post(60_000)).status, 200, 'the chunked body holds its 10,000 bytes, not 60,000');
      assert.equal((await chunked).status, 200);
      assert.equal(await unavailable(), 2);
      assert.equal(app.received.length, 6);
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

describe('a body that never arrives in full', () => {
  it('is a 400 malformed on a closed connection, counted and logged once, and frees its delivery id for the retry', async () => {
    const secrets = secretsDir();
    const SECRET = 'gitlab-hardening-secret';
    const app = await startUpstream();
    const sidecar = await startSidecar({ upstream: app.url, hooks: [{ name: 'gl', path: '/hooks/gl', provider: 'gitlab', secrets: [secrets.secret(SECRET)] }] });
    try {
      const { port } = new URL(sidecar.url);
      const head = `POST /hooks/gl HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nX-Gitlab-Token: ${SECRET}\r\nIdempotency-Key: cut-short\r\nContent-Length: 100\r\n\r\n`;
      const answer = await new Promise<string>((resolve, reject) => {
        const socket = connect(Number(port), '127.0.0.1', () => {
          socket.write(head);
          // Ten of the hundred bytes, then the client stops sending (half-close).
          socket.end('{"n":12345');
        });
        let text = '';
        socket.setEncoding('utf8');
        socket.on('data', (chunk: string) => (text += chunk));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      assert.match(answer, /^HTTP\/1\.1 400 /);
      assert.match(answer, /connection: close/i);
      assert.match(answer, /malformed request/);
      assert.equal(app.received.length, 0, 'nothing reached the app');
      // Node's parser refuses a half-close mid-body, so the HTTP layer answers it, before any hook is
      // known; the body step sees its client gone and neither answers nor counts it again.
      const metrics = await scrape(sidecar.adminUrl);
      assert.equal(sample(metrics, 'hookguard_rejections_total', { hook: 'unmatched', reason: 'malformed' }), 1);
      assert.equal(sample(metrics, 'hookguard_rejections_total', { hook: 'gl', reason: 'malformed' }), 0, 'counted once');
      const lines = sidecar.log.records().filter((record) => record.reason === 'malformed');
      assert.equal(lines.length, 1, 'logged once');
      assert.equal(lines[0]!.code, 'HPE_INVALID_EOF_STATE');
      assert.equal(sidecar.log.records().filter((record) => record.event === 'internal_error').length, 0, 'never a 500');
      assert.equal(sidecar.log.records().find((record) => record.event === 'client_gone')?.received, 10);
      // The claim taken before the body was released: the provider's retry of the delivery goes through.
      const retry = await send(`${sidecar.url}/hooks/gl`, { headers: { 'content-type': 'application/json', 'x-gitlab-token': SECRET, 'idempotency-key': 'cut-short' }, body: '{"n":12345}' });
      assert.equal(retry.status, 200);
      assert.equal(app.received.length, 1);
    } finally {
      await sidecar.stop();
      await app.close();
      secrets.remove();
    }
  });
});
