import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { startSidecar, secretsDir, type TestSidecar } from '../helpers/sidecar.js';
import { startUpstream, deadPort } from '../helpers/upstream.js';
import { send } from '../helpers/http-client.js';
import { startSilentCloser } from '../helpers/silent-closer.js';
import { sample, scrape } from '../helpers/metrics.js';

const TOKEN = 'tok_forwarding_0123456789abcdefghijkl';

describe('forwarding to the app', () => {
  const secrets = secretsDir();
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let sidecar: TestSidecar;
  const url = () => `${sidecar.url}/hooks/ci/${TOKEN}`;

  before(async () => {
    upstream = await startUpstream();
    sidecar = await startSidecar({
      upstream: upstream.url,
      timeouts: { upstreamSeconds: 1 },
      hooks: [
        { name: 'ci', path: '/hooks/ci', upstreamPath: '/internal/ci', provider: 'none', token: secrets.secret(TOKEN), contentTypes: ['application/json', 'application/octet-stream'] },
        { name: 'big', path: '/hooks/big', provider: 'none', token: secrets.secret(TOKEN), contentTypes: ['application/octet-stream'], maxBodyBytes: 4 * 1_048_576 },
      ],
    });
  });

  after(async () => {
    await sidecar.stop();
    await upstream.close();
    secrets.remove();
  });

  it('forwards the exact bytes of a binary body', async () => {
    const body = randomBytes(64 * 1024);
    const answer = await send(url(), { headers: { 'content-type': 'application/octet-stream' }, body });
    assert.equal(answer.status, 200);
    assert.deepEqual(upstream.received.at(-1)!.body, body);
  });

  for (const framing of ['a Content-Length', 'chunked transfer encoding'] as const) {
    it(`forwards a 3 MiB body sent with ${framing} byte for byte, with its Content-Length`, async () => {
      // Many socket reads: the body travels as the chunks it arrived in (collect-body.ts, forwarder.ts).
      const body = randomBytes(3 * 1_048_576 + 3);
      const headers: Record<string, string> = { 'content-type': 'application/octet-stream' };
      if (framing === 'a Content-Length') headers['content-length'] = String(body.length);
      const answer = await send(`${sidecar.url}/hooks/big/${TOKEN}`, { headers, body });
      assert.equal(answer.status, 200, answer.text);
      const got = upstream.received.at(-1)!;
      assert.equal(got.headers['content-length'], String(body.length));
      assert.equal(got.headers['transfer-encoding'], undefined);
      assert.ok(got.body.equals(body));
    });
  }

  it('forwards the exact bytes of a UTF-8 body, unnormalised', async () => {
    // Odd spacing, escaped and raw non-ASCII, a BOM: a re-serialised body would break signatures.
    const body = Buffer.from('\uFEFF{ "name":"Zoë \u00e9\u0301",  "emoji":"\ud83d\ude80", "esc":"\\u00e9" }\n', 'utf8');
    await send(url(), { headers: { 'content-type': 'application/json; charset=utf-8' }, body });
    assert.deepEqual(upstream.received.at(-1)!.body, body);
  });

  it('strips the URL token, keeps the query and maps the path to upstreamPath', async () => {
    await send(`${url()}?a=1&b=two`, { headers: { 'content-type': 'application/json' }, body: '{}' });
    const got = upstream.received.at(-1)!;
    assert.equal(got.url, '/internal/ci?a=1&b=two');
    assert.ok(!JSON.stringify(got.rawHeaders).includes(TOKEN));
  });

  it('adds X-Forwarded-For, X-Forwarded-Proto, Hookguard-Verified and drops hop-by-hop and spoofed headers', async () => {
    await send(url(), {
      headers: {
        'content-type': 'application/json',
        'x-forwarded-for': '6.6.6.6',
        'hookguard-verified': 'github',
        connection: 'keep-alive, x-drop-me',
        'x-drop-me': '1',
        'keep-alive': 'timeout=5',
        'x-custom': 'kept',
      },
      body: '{}',
    });
    const headers = upstream.received.at(-1)!.headers;
    assert.equal(headers['x-forwarded-for'], '127.0.0.1');
    assert.equal(headers['x-forwarded-proto'], 'http');
    assert.equal(headers['hookguard-verified'], 'none');
    assert.equal(headers['x-custom'], 'kept');
    assert.equal(headers['x-drop-me'], undefined);
    assert.equal(headers['keep-alive'], undefined);
    assert.match(String(headers['x-request-id']), /^[0-9a-f-]{36}$/);
  });

  it('passes the app status, headers and body back', async () => {
    upstream.setBehaviour((_req, res) => void res.writeHead(202, { 'content-type': 'application/json', 'x-app': 'yes', 'access-control-allow-origin': '*' }).end('{"queued":true}'));
    const answer = await send(url(), { headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(answer.status, 202);
    assert.equal(answer.headers['x-app'], 'yes');
    assert.equal(answer.headers['content-type'], 'application/json');
    assert.equal(answer.headers['access-control-allow-origin'], undefined, 'no CORS header ever leaves the sidecar');
    assert.equal(answer.text, '{"queued":true}');
  });

  it('passes the app headers back as spelled and repeated, with the sidecar\'s X-Request-Id and a Content-Length', async () => {
    upstream.setBehaviour((_req, res) => {
      res.setHeader('Set-Cookie', ['a=1; Path=/', 'b=2; HttpOnly']);
      res.setHeader('X-Request-Id', 'made-up-by-the-app');
      res.setHeader('Connection', 'X-Hop-Only');
      res.setHeader('X-Hop-Only', 'not for the client');
      res.setHeader('X-App-Header', 'kept');
      // Chunked: the app declares no length; the sidecar buffered the body and declares its own.
      res.writeHead(201);
      res.write('{"part":1,');
      res.end('"part2":2}');
    });
    const answer = await send(url(), { headers: { 'content-type': 'application/json', 'x-request-id': 'provider-delivery-7' }, body: '{}' });
    assert.equal(answer.status, 201);
    assert.equal(answer.text, '{"part":1,"part2":2}');
    assert.deepEqual(answer.headers['set-cookie'], ['a=1; Path=/', 'b=2; HttpOnly']);
    assert.equal(answer.headers['x-request-id'], 'provider-delivery-7', 'the request id the provider sent, not the app\'s');
    assert.equal(answer.headers['x-app-header'], 'kept');
    assert.equal(answer.headers['x-hop-only'], undefined, 'a header the app\'s Connection header names is hop-by-hop');
    assert.equal(answer.headers['content-length'], String(answer.body.length));
    assert.equal(answer.headers['transfer-encoding'], undefined);
    assert.equal(answer.headers['content-type'], undefined, 'no Content-Type the app did not send');
    upstream.setBehaviour((_req, res) => void res.writeHead(200).end());
  });

  for (const size of [1, 300, 8192, 8193, 200 * 1024]) {
    it(`passes the app's binary answer of ${size} bytes back byte for byte`, async () => {
      // Every byte value, invalid UTF-8 included, whichever way the answer is written.
      const body = Buffer.concat([Buffer.from(Array.from({ length: 256 }, (_, i) => 255 - i)), randomBytes(size)]).subarray(0, size);
      upstream.setBehaviour((_req, res) => void res.writeHead(200, { 'content-type': 'application/octet-stream' }).end(body));
      const answer = await send(url(), { headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(answer.status, 200);
      assert.equal(answer.headers['content-length'], String(size));
      assert.ok(answer.body.equals(body), 'the same bytes');
      upstream.setBehaviour((_req, res) => void res.writeHead(200).end());
    });
  }

  it('answers pipelined requests on one connection in order, each with its own body, the first one slowest', async () => {
    // The app answers the first delivery last: the sidecar must hold the later answers back.
    upstream.setBehaviour((req, res) => {
      const n = Number(req.body.toString().replace(/\D/g, ''));
      setTimeout(() => res.writeHead(200, { 'content-type': 'text/plain' }).end(n === 2 ? 'x'.repeat(9000) : `answer ${n}`), n === 0 ? 80 : 0);
    });
    const path = new URL(url()).pathname;
    const request = (n: number) => `POST ${path} HTTP/1.1\r\nHost: hooks\r\nContent-Type: application/json\r\nContent-Length: 7\r\n\r\n{"n":${n}}`;
    const raw = await new Promise<Buffer>((resolve, reject) => {
      const socket = connect(Number(new URL(sidecar.url).port), '127.0.0.1');
      const chunks: Buffer[] = [];
      socket.on('data', (chunk: Buffer) => {
        chunks.push(chunk);
        const text = Buffer.concat(chunks).toString('latin1');
        if (text.split('HTTP/1.1 ').length - 1 === 3 && text.endsWith('answer 1')) socket.end();
      });
      socket.on('end', () => resolve(Buffer.concat(chunks)));
      socket.on('error', reject);
      socket.write(request(0) + request(2) + request(1));
    });
    const answers: Array<{ status: number; body: string }> = [];
    let rest = raw.toString('latin1');
    while (rest.length > 0) {
      const headEnd = rest.indexOf('\r\n\r\n');
      const head = rest.slice(0, headEnd);
      const length = Number(/\r\ncontent-length: (\d+)/i.exec(head)![1]);
      answers.push({ status: Number(head.slice(9, 12)), body: rest.slice(headEnd + 4, headEnd + 4 + length) });
      rest = rest.slice(headEnd + 4 + length);
    }
    assert.deepEqual(answers, [
      { status: 200, body: 'answer 0' },
      { status: 200, body: 'x'.repeat(9000) },
      { status: 200, body: 'answer 1' },
    ]);
    upstream.setBehaviour((_req, res) => void res.writeHead(200).end());
  });

  for (const status of [204, 304]) {
    it(`an app answering ${status} gets ${status} back with no body and no length`, async () => {
      upstream.setBehaviour((_req, res) => void res.writeHead(status, { etag: '"v1"' }).end());
      const answer = await send(url(), { headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(answer.status, status);
      assert.equal(answer.body.length, 0);
      assert.equal(answer.headers['etag'], '"v1"');
      assert.equal(answer.headers['content-length'], undefined);
      assert.match(String(answer.headers['x-request-id']), /^[0-9a-f-]{36}$/);
      // The sidecar's pooled connection to the app is still good for the next delivery.
      upstream.setBehaviour((_req, res) => void res.writeHead(200).end('next'));
      assert.equal((await send(url(), { headers: { 'content-type': 'application/json' }, body: '{}' })).text, 'next');
    });
  }

  it('a rejection carries the request id too', async () => {
    const answer = await send(`${sidecar.url}/hooks/ci/wrong-token-0123456789abcdefghij`, { headers: { 'content-type': 'application/json', 'x-request-id': 'trace-me-42' }, body: '{}' });
    assert.equal(answer.status, 404);
    assert.equal(answer.headers['x-request-id'], 'trace-me-42');
  });

  for (const status of [400, 404, 500, 503]) {
    it(`an app answering ${status} stays ${status}`, async () => {
      upstream.setBehaviour((_req, res) => void res.writeHead(status).end('app says no'));
      const answer = await send(url(), { headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(answer.status, status);
      assert.equal(answer.text, 'app says no');
    });
  }

  it('an app too slow to answer gives 504 and counts an upstream_error', async () => {
    const before = sample(await scrape(sidecar.adminUrl), 'hookguard_requests_total', { hook: 'ci', outcome: 'upstream_error' });
    upstream.setBehaviour((_req, res) => void setTimeout(() => res.writeHead(200).end(), 3_000));
    const answer = await send(url(), { headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(answer.status, 504);
    assert.equal(sample(await scrape(sidecar.adminUrl), 'hookguard_requests_total', { hook: 'ci', outcome: 'upstream_error' }), before + 1);
    upstream.setBehaviour((_req, res) => void res.writeHead(200).end());
  });

  it('an app that drops the connection mid-answer gives 502, never a truncated 2xx', async () => {
    upstream.setBehaviour((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const answer = await send(url(), { headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(answer.status, 502);
    upstream.setBehaviour((_req, res) => void res.writeHead(200).end());
  });

  it('drops idle connections before an app that sends no Keep-Alive hint resets them', async () => {
    const app = await startSilentCloser(1_500);
    const secrets2 = secretsDir();
    const proxy = await startSidecar({ upstream: app.url, hooks: [{ name: 'ci', path: '/hooks/ci', provider: 'none', token: secrets2.secret(TOKEN) }] });
    try {
      const statuses: number[] = [];
      // Gaps around and past the app's idle timeout: a pooled socket older than 1.5 s is dead.
      for (const gap of [0, 1_100, 1_300, 1_700]) {
        await new Promise((resolve) => setTimeout(resolve, gap));
        statuses.push((await send(`${proxy.url}/hooks/ci/${TOKEN}`, { headers: { 'content-type': 'application/json' }, body: '{}' })).status);
      }
      assert.deepEqual(statuses, [200, 200, 200, 200]);
    } finally {
      await proxy.stop();
      await app.close();
      secrets2.remove();
    }
  });
});

describe('forwarding when the app is down', () => {
  it('answers 502 and counts an upstream_error', async () => {
    const secrets = secretsDir();
    const port = await deadPort();
    const sidecar = await startSidecar({ upstream: `http://127.0.0.1:${port}`, hooks: [{ name: 'ci', path: '/hooks/ci', provider: 'none', token: secrets.secret(TOKEN) }] });
    try {
      const answer = await send(`${sidecar.url}/hooks/ci/${TOKEN}`, { headers: { 'content-type': 'application/json' }, body: '{}' });
      assert.equal(answer.status, 502);
      assert.equal(sample(await scrape(sidecar.adminUrl), 'hookguard_requests_total', { hook: 'ci', outcome: 'upstream_error' }), 1);
      assert.ok(sidecar.log.records().some((r) => r.event === 'upstream_error' && r.code === 'ECONNREFUSED'));
    } finally {
      await sidecar.stop();
      secrets.remove();
    }
  });
});

describe('X-Forwarded-For through trusted proxies', () => {
  it('believes the chain only through trusted proxies and checks the real client against the allowlist', async () => {
    const secrets = secretsDir();
    const app = await startUpstream();
    const sidecar = await startSidecar({
      upstream: app.url,
      trustedProxies: ['127.0.0.0/8'],
      hooks: [{ name: 'ci', path: '/hooks/ci', provider: 'none', token: secrets.secret(TOKEN), sources: ['203.0.113.0/24'] }],
    });
    try {
      const ok = await send(`${sidecar.url}/hooks/ci/${TOKEN}`, { headers: { 'content-type': 'application/json', 'x-forwarded-for': '198.51.100.7, 203.0.113.9' }, body: '{}' });
      assert.equal(ok.status, 200, 'the rightmost untrusted hop (203.0.113.9) is the client');
      assert.equal(app.received.at(-1)!.headers['x-forwarded-for'], '198.51.100.7, 203.0.113.9, 127.0.0.1');
      const spoofed = await send(`${sidecar.url}/hooks/ci/${TOKEN}`, { headers: { 'content-type': 'application/json', 'x-forwarded-for': '203.0.113.9, 198.51.100.7' }, body: '{}' });
      assert.equal(spoofed.status, 403, 'an allowed address further left was written by the client, not a trusted proxy');
    } finally {
      await sidecar.stop();
      await app.close();
      secrets.remove();
    }
  });
});
