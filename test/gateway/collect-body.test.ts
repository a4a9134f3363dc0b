import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import net from 'node:net';
import { Readable } from 'node:stream';
import { randomBytes, randomFillSync } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { collectBody, BodyTooLargeError, BodyIncompleteError, KEEP_CHUNKS_FROM } from '../../src/gateway/collect-body.js';
import type { BodyChunks } from '../../src/verify/types.js';

const KIB = 1024;
const MIB = 1_048_576;
const LIMIT = 2 * MIB;
const EVENTS = ['data', 'end', 'error', 'close'] as const;

interface Outcome {
  readonly body?: BodyChunks;
  readonly error?: unknown;
  /** Listener counts before the call and once it settled, per event. */
  readonly listeners: { before: number[]; after: number[] };
  readonly flowing: boolean | null;
  readonly paused: boolean;
}

/** A real node:http server whose handler reads the body with collectBody and reports what it got. */
describe('collectBody', () => {
  let server: http.Server;
  let port: number;
  const waiting: ((outcome: Outcome) => void)[] = [];

  before(async () => {
    server = http.createServer((req, res) => {
      const count = () => EVENTS.map((event) => req.listenerCount(event));
      const before = count();
      const report = waiting.shift();
      collectBody(req, LIMIT).then(
        (body) => {
          report?.({ body, listeners: { before, after: count() }, flowing: req.readableFlowing, paused: req.isPaused() });
          res.writeHead(200).end(String(Buffer.concat(body).length));
        },
        (error: unknown) => {
          report?.({ error, listeners: { before, after: count() }, flowing: req.readableFlowing, paused: req.isPaused() });
          if (!res.headersSent && !res.destroyed) res.writeHead(error instanceof BodyTooLargeError ? 413 : 400, { connection: 'close' }).end();
        },
      );
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  const nextOutcome = () => new Promise<Outcome>((resolve) => waiting.push(resolve));

  /** POST with node:http; `pieces` are written one by one (chunked unless a Content-Length is set). */
  function post(pieces: Buffer[], headers: Record<string, string> = {}, gapMs = 0, path = '/'): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port, method: 'POST', path, headers, agent: false }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      let i = 0;
      const writeNext = () => {
        if (i === pieces.length) return void req.end();
        req.write(pieces[i++]!);
        if (gapMs > 0) setTimeout(writeNext, gapMs);
        else writeNext();
      };
      writeNext();
    });
  }

  /** Raw bytes on a socket, for bodies node:http's client would refuse to send; resolves once closed. */
  function raw(head: string, body: Buffer, then: 'destroy' | 'end' | 'wait'): Promise<void> {
    return new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1', () => {
        socket.write(head);
        socket.write(body);
        if (then === 'destroy') setTimeout(() => socket.destroy(), 30);
        if (then === 'end') setTimeout(() => socket.end(), 30);
      });
      socket.on('data', () => {});
      socket.on('error', () => {});
      socket.on('close', () => resolve());
    });
  }

  function assertClean(outcome: Outcome) {
    assert.deepEqual(outcome.listeners.after, outcome.listeners.before, 'every listener of ours removed');
  }

  /** The chunks, checked to be non-empty, joined. */
  function joined(outcome: Outcome): Buffer {
    assert.ok(outcome.body, String(outcome.error));
    for (const chunk of outcome.body) assert.ok(chunk.length > 0, 'no empty chunk');
    return Buffer.concat(outcome.body);
  }

  it('reads an empty body with a Content-Length of 0 as no chunk at all', async () => {
    const got = nextOutcome();
    assert.equal(await post([], { 'content-length': '0' }), 200);
    const outcome = await got;
    assert.deepEqual(outcome.body, []);
    assertClean(outcome);
  });

  it('reads a small body sent at once as one chunk', async () => {
    const body = randomBytes(KIB);
    const got = nextOutcome();
    assert.equal(await post([body], { 'content-length': String(KIB) }), 200);
    const outcome = await got;
    assert.equal(outcome.body?.length, 1);
    assert.ok(joined(outcome).equals(body));
    assertClean(outcome);
  });

  it('reads 1 MiB with a Content-Length exactly, as the chunks node:http handed over, none copied into a joined buffer', async () => {
    const body = randomBytes(MIB);
    const got = nextOutcome();
    assert.equal(await post([body.subarray(0, MIB >>> 1), body.subarray(MIB >>> 1)], { 'content-length': String(MIB) }), 200);
    const outcome = await got;
    assert.ok(joined(outcome).equals(body));
    const chunks = outcome.body!;
    assert.ok(chunks.length > 1, 'a megabyte arrives in several socket reads');
    // Each chunk is a view of node's own buffer for that read, never of a buffer of the whole body.
    for (const chunk of chunks) assert.ok(chunk.buffer.byteLength < MIB, `a chunk's buffer of ${chunk.buffer.byteLength} bytes`);
    assertClean(outcome);
  });

  it('reads a body sent in small pieces with a Content-Length (several data events)', async () => {
    const body = randomBytes(3 * KIB);
    const got = nextOutcome();
    assert.equal(await post([body.subarray(0, 100), body.subarray(100, 2000), body.subarray(2000)], { 'content-length': String(body.length) }, 15), 200);
    const outcome = await got;
    assert.ok(joined(outcome).equals(body));
    assertClean(outcome);
  });

  for (const [name, pieces] of [
    ['one chunk', [randomBytes(KIB)]],
    ['many chunks', Array.from({ length: 40 }, () => randomBytes(32 * KIB))],
  ] as const) {
    it(`reads a chunked body without Content-Length (${name}) exactly`, async () => {
      const got = nextOutcome();
      assert.equal(await post([...pieces], {}, name === 'many chunks' ? 0 : 5), 200);
      const outcome = await got;
      assert.ok(joined(outcome).equals(Buffer.concat(pieces)));
      assertClean(outcome);
    });
  }

  it('refuses a Content-Length over the limit before reading a byte', async () => {
    const got = nextOutcome();
    // Only the head and a little of the body: the refusal must not wait for the rest.
    await raw(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: ${LIMIT + 1}\r\n\r\n`, Buffer.alloc(10), 'wait');
    const outcome = await got;
    assert.ok(outcome.error instanceof BodyTooLargeError);
    assert.equal(outcome.error.declared, LIMIT + 1);
    assert.equal(outcome.error.limit, LIMIT);
    assert.equal(outcome.flowing, null, 'never resumed');
    assertClean(outcome);
  });

  it('refuses a chunked body as soon as it passes the limit, leaving the stream paused', async () => {
    const got = nextOutcome();
    const status = await post(Array.from({ length: 3 }, () => Buffer.alloc(MIB, 7)), {}, 10).catch(() => 0);
    const outcome = await got;
    assert.ok(outcome.error instanceof BodyTooLargeError, String(outcome.error));
    assert.equal(outcome.error.declared, undefined);
    assert.equal(outcome.paused, true);
    assertClean(outcome);
    assert.ok(status === 413 || status === 0, `answered ${status}`);
  });

  it('rejects with BodyIncompleteError (cause ECONNRESET) when the client aborts mid-body', async () => {
    const got = nextOutcome();
    await raw('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n', Buffer.from('0123456789'), 'destroy');
    const outcome = await got;
    assert.ok(outcome.error instanceof BodyIncompleteError, String(outcome.error));
    assert.equal(outcome.error.expected, 100);
    assert.equal(outcome.error.received, 10);
    assert.equal((outcome.error.cause as { code?: string }).code, 'ECONNRESET');
    assertClean(outcome);
  });

  it('rejects with BodyIncompleteError when the client sends fewer bytes than declared and half-closes', async () => {
    const got = nextOutcome();
    await raw('POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n', Buffer.from('short'), 'end');
    const outcome = await got;
    assert.ok(outcome.error instanceof BodyIncompleteError, String(outcome.error));
    assert.equal(outcome.error.received, 5);
    assertClean(outcome);
  });

  it('rejects an aborted chunked body too', async () => {
    const got = nextOutcome();
    await raw('POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n', Buffer.from('5\r\nhello\r\n'), 'destroy');
    const outcome = await got;
    assert.ok(outcome.error instanceof BodyIncompleteError, String(outcome.error));
    assert.equal(outcome.error.expected, undefined);
    assert.equal(outcome.error.received, 5);
  });
});

describe('collectBody on streams node:http would not produce', () => {
  // node:http turns a short body into an abort; a stream that ends short must still be refused.
  const fake = (chunks: Buffer[], headers: Record<string, string>) => Object.assign(Readable.from(chunks, { objectMode: false }), { headers }) as unknown as http.IncomingMessage;

  it('a stream that ends with fewer bytes than its Content-Length is an error, not a short body', async () => {
    await assert.rejects(collectBody(fake([Buffer.from('abc')], { 'content-length': '10' }), LIMIT), (error: unknown) => error instanceof BodyIncompleteError && error.expected === 10 && error.received === 3);
  });

  it('a stream with more bytes than its Content-Length is an error', async () => {
    await assert.rejects(collectBody(fake([Buffer.from('abc'), Buffer.from('defgh')], { 'content-length': '4' }), LIMIT), BodyIncompleteError);
  });

  /** Random bytes in an ArrayBuffer of their own, as node:http hands over each chunk (never pooled). */
  const own = (size: number) => randomFillSync(Buffer.alloc(size));

  /** The distinct ArrayBuffers behind the chunks, and their total size. */
  function backing(chunks: BodyChunks): { buffers: number; bytes: number } {
    const buffers = new Set(chunks.map((chunk) => chunk.buffer));
    let bytes = 0;
    for (const buffer of buffers) bytes += buffer.byteLength;
    return { buffers: buffers.size, bytes };
  }

  for (const framing of ['with a Content-Length', 'chunked'] as const) {
    it(`packs a body sent one byte at a time (${framing}) into a few blocks, not a buffer per byte`, async () => {
      const body = randomBytes(100_000);
      const pieces = [...body].map((byte) => Buffer.from([byte]));
      const got = await collectBody(fake(pieces, framing === 'chunked' ? {} : { 'content-length': String(body.length) }), LIMIT);
      assert.ok(Buffer.concat(got).equals(body));
      // The first byte as it came, then 64 KiB blocks.
      assert.ok(got.length <= 1 + Math.ceil(body.length / 65_536), `${got.length} chunks`);
      const { bytes } = backing(got.slice(1));
      assert.ok(bytes <= body.length + 65_536, `${bytes} bytes of blocks for ${body.length}`);
    });
  }

  it('gives a small body in pieces a block no larger than what its Content-Length leaves', async () => {
    const pieces = [own(100), own(100), own(100)];
    const got = await collectBody(fake(pieces, { 'content-length': '300' }), LIMIT);
    assert.ok(Buffer.concat(got).equals(Buffer.concat(pieces)));
    assert.equal(got.length, 2, 'the first piece as it came, the rest in one block');
    assert.equal(got[0]!.buffer, pieces[0]!.buffer);
    assert.equal(got[1]!.buffer.byteLength, 200);
  });

  it('keeps every chunk of 16 KiB or more as it came, copies only the small ones, and keeps the order', async () => {
    for (let run = 0; run < 20; run++) {
      const sizes = Array.from({ length: 30 }, () => (Math.random() < 0.4 ? KEEP_CHUNKS_FROM + Math.floor(Math.random() * 50_000) : 1 + Math.floor(Math.random() * 3_000)));
      const pieces = sizes.map(own);
      const body = Buffer.concat(pieces);
      const headers: Record<string, string> = run % 2 === 0 ? { 'content-length': String(body.length) } : {};
      const got = await collectBody(fake(pieces, headers), LIMIT);
      assert.ok(Buffer.concat(got).equals(body), `run ${run}: the exact bytes in order`);
      const kept = new Set(got.map((chunk) => chunk.buffer));
      for (const [index, piece] of pieces.entries()) {
        if (index === 0 || piece.length >= KEEP_CHUNKS_FROM) assert.ok(kept.has(piece.buffer), `run ${run}: piece ${index} (${piece.length} bytes) kept as it came`);
        else assert.ok(!kept.has(piece.buffer), `run ${run}: piece ${index} (${piece.length} bytes) copied`);
      }
    }
  });

  it('a stream destroyed without an error is an error', async () => {
    const stream = fake([], { 'content-length': '4' });
    const body = collectBody(stream, LIMIT);
    stream.destroy();
    await assert.rejects(body, BodyIncompleteError);
  });
});
