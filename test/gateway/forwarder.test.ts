import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { createForwarder, type Forwarder, type ForwardResult } from '../../src/gateway/forwarder.js';
import { DEFAULT_TIMEOUTS } from '../../src/config/defaults.js';
import { startUpstream, deadPort } from '../helpers/upstream.js';

const MIB = 1_048_576;

function ok(result: ForwardResult): Extract<ForwardResult, { ok: true }> {
  assert.ok(result.ok, `expected an answer, got ${JSON.stringify(result)}`);
  return result;
}

/** Every value of one answer header (case-insensitive name), in arrival order. */
function header(result: Extract<ForwardResult, { ok: true }>, name: string): string[] {
  const values: string[] = [];
  for (let i = 0; i + 1 < result.rawHeaders.length; i += 2) {
    if (result.rawHeaders[i]!.toString('latin1').toLowerCase() === name) values.push(result.rawHeaders[i + 1]!.toString('latin1'));
  }
  return values;
}

/** `body` in chunks of `size` bytes. */
function cut(body: Buffer, size: number): Buffer[] {
  const chunks: Buffer[] = [];
  for (let at = 0; at < body.length; at += size) chunks.push(body.subarray(at, at + size));
  return chunks;
}

function failed(result: ForwardResult): Extract<ForwardResult, { ok: false }> {
  assert.ok(!result.ok, `expected a failure, got status ${(result as { status?: number }).status}`);
  return result;
}

describe('forwarder (undici dispatch)', () => {
  let app: Awaited<ReturnType<typeof startUpstream>>;
  let forwarder: Forwarder;

  before(async () => {
    app = await startUpstream();
    forwarder = createForwarder(new URL(app.url), { ...DEFAULT_TIMEOUTS, upstreamMs: 300 });
  });

  after(async () => {
    await forwarder.close();
    await app.close();
  });

  it('sends the exact bytes, method, path and headers, and returns the exact answer', async () => {
    const body = randomBytes(MIB);
    app.setBehaviour((req, res) => void res.writeHead(201, { 'content-type': 'application/octet-stream' }).end(req.body));
    const result = ok(await forwarder.forward({ path: '/in?x=1', headers: ['Content-Type', 'application/octet-stream', 'X-Custom', 'a b'], body: [body] }));
    const got = app.received.at(-1)!;
    assert.equal(got.method, 'POST');
    assert.equal(got.url, '/in?x=1');
    assert.equal(got.headers['x-custom'], 'a b');
    assert.equal(got.headers['content-length'], String(MIB));
    assert.deepEqual(got.body, body);
    assert.equal(result.status, 201);
    assert.deepEqual(header(result, 'content-type'), ['application/octet-stream']);
    assert.deepEqual(result.body, body);
    assert.ok(result.seconds > 0 && result.seconds < 5);
  });

  it('sends a body of many chunks as its exact bytes, with its Content-Length, whether or not the headers carried one', async () => {
    app.setBehaviour((req, res) => void res.writeHead(200).end(req.body));
    const body = randomBytes(MIB + 7);
    for (const headers of [['Content-Length', String(body.length)], ['content-length', String(body.length)], []]) {
      const result = ok(await forwarder.forward({ path: '/chunks', headers: [...headers], body: cut(body, 65_536) }));
      const got = app.received.at(-1)!;
      assert.equal(got.headers['content-length'], String(body.length), JSON.stringify(headers));
      assert.equal(got.headers['transfer-encoding'], undefined);
      assert.ok(got.body.equals(body));
      assert.ok(result.body.equals(body));
    }
  });

  it('refuses to send chunks whose length differs from the Content-Length in the headers (a 502, never a cut-off body)', async () => {
    app.setBehaviour((req, res) => void res.writeHead(200).end(req.body));
    const before = app.received.length;
    const result = failed(await forwarder.forward({ path: '/chunks', headers: ['Content-Length', '5'], body: [Buffer.from('abc'), Buffer.from('def')] }));
    assert.equal(result.failure, 'unreachable');
    assert.equal(result.code, 'UND_ERR_REQ_CONTENT_LENGTH_MISMATCH');
    assert.equal(app.received.length, before, 'the app never saw a whole request');
  });

  it('sends an empty body with Content-Length: 0 and returns an empty answer', async () => {
    app.setBehaviour((_req, res) => void res.writeHead(204).end());
    const result = ok(await forwarder.forward({ path: '/empty', headers: [], body: [] }));
    assert.equal(app.received.at(-1)!.headers['content-length'], '0');
    assert.equal(result.status, 204);
    assert.equal(result.body.length, 0);
  });

  it('returns the raw response headers: repeats (two Set-Cookie) kept, in order, Latin-1', async () => {
    app.setBehaviour((_req, res) => {
      res.setHeader('Set-Cookie', ['a=1; Path=/', 'b=2; HttpOnly']);
      res.setHeader('X-App-Name', 'Zoë'); // latin1 on the wire, as undici decodes it
      res.writeHead(200).end('ok');
    });
    const result = ok(await forwarder.forward({ path: '/', headers: [], body: [Buffer.from('{}')] }));
    assert.deepEqual(header(result, 'set-cookie'), ['a=1; Path=/', 'b=2; HttpOnly']);
    assert.deepEqual(header(result, 'x-app-name'), ['Zoë']);
    assert.equal(result.body.toString(), 'ok');
  });

  it('skips informational answers (103 Early Hints) and returns the final one', async () => {
    app.setBehaviour((_req, res) => {
      res.writeEarlyHints({ link: '</style.css>; rel=preload' });
      res.writeHead(200, { 'x-final': 'yes' }).end('final');
    });
    const result = ok(await forwarder.forward({ path: '/', headers: [], body: [Buffer.from('{}')] }));
    assert.equal(result.status, 200);
    assert.deepEqual(header(result, 'x-final'), ['yes']);
    assert.deepEqual(header(result, 'link'), []);
    assert.equal(result.body.toString(), 'final');
  });

  it('accepts an answer of exactly 8 MiB, in many chunks', async () => {
    const big = randomBytes(8 * MIB);
    app.setBehaviour((_req, res) => {
      res.writeHead(200); // chunked: no Content-Length
      for (let offset = 0; offset < big.length; offset += 256 * 1024) res.write(big.subarray(offset, offset + 256 * 1024));
      res.end();
    });
    const result = ok(await forwarder.forward({ path: '/', headers: [], body: [Buffer.from('{}')] }));
    assert.equal(result.body.length, big.length);
    assert.ok(result.body.equals(big));
  });

  it('refuses a chunked answer over 8 MiB as unreachable (HOOKGUARD_RESPONSE_TOO_LARGE)', async () => {
    const piece = Buffer.alloc(MIB, 1);
    app.setBehaviour((_req, res) => {
      res.writeHead(200);
      for (let i = 0; i < 9; i++) res.write(piece);
      res.end();
    });
    const result = failed(await forwarder.forward({ path: '/', headers: [], body: [Buffer.from('{}')] }));
    assert.equal(result.failure, 'unreachable');
    assert.equal(result.code, 'HOOKGUARD_RESPONSE_TOO_LARGE');
  });

  it('refuses an answer declaring more than 8 MiB before reading it', async () => {
    app.setBehaviour((_req, res) => {
      res.writeHead(200, { 'content-length': String(8 * MIB + 1) });
      res.write('only the start'); // the rest never comes: the refusal must not wait for it
    });
    const result = failed(await forwarder.forward({ path: '/', headers: [], body: [Buffer.from('{}')] }));
    assert.equal(result.failure, 'unreachable');
    assert.equal(result.code, 'HOOKGUARD_RESPONSE_TOO_LARGE');
    assert.ok(result.seconds < 0.25, `refused after ${result.seconds} s`);
  });

  it('an app closing the connection mid-body is unreachable, never a truncated answer', async () => {
    app.setBehaviour((_req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('partial');
      setTimeout(() => res.socket?.destroy(), 20);
    });
    const result = failed(await forwarder.forward({ path: '/', headers: [], body: [Buffer.from('{}')] }));
    assert.equal(result.failure, 'unreachable');
    assert.equal(result.code, 'UND_ERR_SOCKET');
  });

  it('no answer head within the upstream timeout is a timeout (headers)', async () => {
    app.setBehaviour(() => {}); // never answers
    const result = failed(await forwarder.forward({ path: '/', headers: [], body: [Buffer.from('{}')] }));
    assert.equal(result.failure, 'timeout');
    assert.equal(result.code, 'UND_ERR_HEADERS_TIMEOUT');
    assert.ok(result.seconds >= 0.25 && result.seconds < 3, `after ${result.seconds} s`);
  });

  it('a pause in the answer body longer than the upstream timeout is a timeout (body)', async () => {
    app.setBehaviour((_req, res) => {
      res.writeHead(200, { 'content-length': '10' });
      res.write('12345');
      setTimeout(() => res.end('67890'), 1_000);
    });
    const result = failed(await forwarder.forward({ path: '/', headers: [], body: [Buffer.from('{}')] }));
    assert.equal(result.failure, 'timeout');
    assert.equal(result.code, 'UND_ERR_BODY_TIMEOUT');
  });

  it('keeps working after failures, and sequential requests reuse one kept-alive connection', async () => {
    app.setBehaviour((req, res) => void res.writeHead(200, { 'x-port': String(res.socket?.remotePort) }).end(String(req.headers['x-n'])));
    for (let n = 0; n < 3; n++) ok(await forwarder.forward({ path: '/', headers: ['X-N', String(n)], body: [Buffer.from('{}')] }));
    const fresh = createForwarder(new URL(app.url), DEFAULT_TIMEOUTS);
    try {
      const ports = new Set<number>();
      for (let n = 0; n < 6; n++) {
        const result = ok(await fresh.forward({ path: '/', headers: ['X-N', String(n)], body: [Buffer.from('{}')] }));
        assert.equal(result.body.toString(), String(n));
        ports.add(Number(header(result, 'x-port')[0]));
      }
      // undici's pool alternates between two sockets for back-to-back requests (as it did with
      // pool.request); what matters is that they are kept alive, not one per request.
      assert.ok(ports.size <= 2, `6 sequential requests used ${ports.size} connections`);
    } finally {
      await fresh.close();
    }
  });

  it('many concurrent requests each get their own answer', async () => {
    const small = createForwarder(new URL(app.url), DEFAULT_TIMEOUTS, { connections: 8 });
    try {
      app.setBehaviour((req, res) => void setTimeout(() => res.writeHead(200, { 'x-n': String(req.headers['x-n']) }).end(req.body), Math.random() * 5));
      const bodies = Array.from({ length: 300 }, (_, n) => randomBytes(n % 3 === 0 ? 70_000 : 200 + n));
      // Every third body goes as chunks (the large-body path), the rest as one buffer.
      const results = await Promise.all(bodies.map((body, n) => small.forward({ path: `/n/${n}`, headers: ['X-N', String(n)], body: n % 3 === 0 ? cut(body, 16_384) : [body] })));
      results.forEach((result, n) => {
        const answer = ok(result);
        assert.deepEqual(header(answer, 'x-n'), [String(n)]);
        assert.ok(answer.body.equals(bodies[n]!), `body ${n}`);
      });
    } finally {
      await small.close();
    }
  });
});

describe('forwarder without an app', () => {
  it('a refused connection is unreachable with ECONNREFUSED', async () => {
    const port = await deadPort();
    const forwarder = createForwarder(new URL(`http://127.0.0.1:${port}`), DEFAULT_TIMEOUTS);
    try {
      const result = failed(await forwarder.forward({ path: '/', headers: [], body: [Buffer.from('{}')] }));
      assert.equal(result.failure, 'unreachable');
      assert.equal(result.code, 'ECONNREFUSED');
    } finally {
      await forwarder.close();
    }
  });

  it('a closed forwarder answers unreachable instead of throwing', async () => {
    const app = await startUpstream();
    const forwarder = createForwarder(new URL(app.url), DEFAULT_TIMEOUTS);
    await forwarder.close();
    try {
      const result = failed(await forwarder.forward({ path: '/', headers: [], body: [Buffer.from('{}')] }));
      assert.equal(result.failure, 'unreachable');
      assert.match(result.code, /^UND_ERR_(CLOSED|DESTROYED)$/);
    } finally {
      await app.close();
    }
  });
});
