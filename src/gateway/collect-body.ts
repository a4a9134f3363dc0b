import type { IncomingMessage } from 'node:http';

/**
 * The body is over the limit. `declared` is the Content-Length when that alone gave it away (no
 * byte was read, no listener attached); undefined when the limit was passed while streaming (no
 * usable Content-Length). Either way the rest of the body may still be on its way: the stream is
 * left paused with no listener of ours, and the caller should answer 413 and close the connection.
 */
export class BodyTooLargeError extends Error {
  readonly code = 'HOOKGUARD_BODY_TOO_LARGE';
  constructor(
    readonly limit: number,
    readonly declared: number | undefined,
  ) {
    super(declared === undefined ? `request body over ${limit} bytes` : `declared request body of ${declared} bytes over ${limit}`);
    this.name = 'BodyTooLargeError';
  }
}

/**
 * The body could not be read to its end: the client aborted or the connection failed (`cause` is
 * the stream's error, such as ECONNRESET), the stream closed before its end, or it ended with fewer
 * (or more) bytes than its Content-Length declared. Nobody is left to answer, or the client lied.
 */
export class BodyIncompleteError extends Error {
  readonly code = 'HOOKGUARD_BODY_INCOMPLETE';
  constructor(
    message: string,
    readonly expected: number | undefined,
    readonly received: number,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'BodyIncompleteError';
  }
}

/** Below this, Buffer.allocUnsafe slices Node's shared pool; at and above it, it allocates alone. */
const POOLED_BELOW = Buffer.poolSize >>> 1;

const EMPTY = Buffer.alloc(0);

const kCollector = Symbol('hookguard.collectBody');

type Collecting = IncomingMessage & { [kCollector]?: Collector | null };

/** One read's state, hung on the stream so that the listeners can be shared module-level functions. */
class Collector {
  /** With a Content-Length: the final buffer, allocated once on the first partial chunk. */
  target: Buffer | null = null;
  /** The only chunk so far (returned as is when it turns out to be the whole body). */
  single: Buffer | null = null;
  /** Without a Content-Length, from the second chunk on: every chunk, concatenated once at the end. */
  chunks: Buffer[] | null = null;
  size = 0;

  constructor(
    readonly limit: number,
    /** -1: no usable Content-Length. */
    readonly declared: number,
    readonly resolve: (body: Buffer) => void,
    readonly reject: (error: Error) => void,
  ) {}
}

/**
 * Reads an IncomingMessage's whole body, refusing more than `limit` bytes.
 *
 * Resolves to the body (exactly its bytes; a body of a single chunk is that chunk, not a copy).
 * Rejects with:
 * - BodyTooLargeError: Content-Length over `limit` (checked before anything is read), or more than
 *   `limit` bytes streamed without a Content-Length. The stream is paused and our listeners removed.
 * - BodyIncompleteError: the stream errored (client abort: `cause` is the ECONNRESET), closed before
 *   its end, or ended with a byte count other than its Content-Length.
 *
 * With a Content-Length, the body is allocated once at its final size and every chunk is copied
 * into it as it arrives, so each chunk (node:http gives every one its own ArrayBuffer) is garbage
 * at once, young and cheap to collect, instead of living until a Buffer.concat at the end: half the
 * peak memory per body, and no chunk survives long enough to be promoted to the old generation,
 * where only a major GC frees its external memory. Without one (chunked), the chunks are kept and
 * concatenated once: one copy, where growing a buffer would copy up to twice as many bytes.
 *
 * Allocation: below 4 KiB (Buffer.poolSize / 2) the body is a slice of Node's shared 8 KiB pool
 * (Buffer.allocUnsafe), far cheaper than an ArrayBuffer of its own, and it can only pin one 8 KiB
 * slab for the life of a request; from 4 KiB it gets its own exact-size ArrayBuffer
 * (Buffer.allocUnsafeSlow, which is what allocUnsafe would do there too, spelt out), so a large body
 * never pins anything else and is freed as one piece. A body that arrives in one chunk (nearly every
 * small delivery) is not copied at all.
 *
 * Per call: one promise, one state object, four listeners that are shared functions (no closures).
 */
export function collectBody(stream: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = declaredLength(stream);
  if (declared > limit) return Promise.reject(new BodyTooLargeError(limit, declared));
  const collecting = stream as Collecting;
  if (collecting[kCollector]) return Promise.reject(new Error('collectBody: this stream is already being read'));
  if (stream.readableEnded || stream.destroyed) {
    return Promise.reject(new BodyIncompleteError('request stream already ended or destroyed', declared < 0 ? undefined : declared, 0));
  }
  return new Promise<Buffer>((resolve, reject) => {
    collecting[kCollector] = new Collector(limit, declared, resolve, reject);
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

/** The Content-Length, or -1 when there is none to trust (absent, malformed, or with a Transfer-Encoding). */
function declaredLength(stream: IncomingMessage): number {
  const headers = stream.headers;
  const text = headers['content-length'];
  if (text === undefined || text === '' || headers['transfer-encoding'] !== undefined) return -1;
  const value = Number(text);
  return Number.isSafeInteger(value) && value >= 0 ? value : -1;
}

function detach(stream: Collecting): Collector {
  const collector = stream[kCollector]!;
  stream[kCollector] = null;
  stream.removeListener('data', onData);
  stream.removeListener('end', onEnd);
  stream.removeListener('error', onError);
  stream.removeListener('close', onClose);
  return collector;
}

function onData(this: Collecting, chunk: Buffer): void {
  const c = this[kCollector]!;
  const offset = c.size;
  const size = offset + chunk.length;
  if (size > c.limit) {
    detach(this);
    this.pause();
    c.reject(new BodyTooLargeError(c.limit, undefined));
    return;
  }
  c.size = size;
  const declared = c.declared;
  if (declared >= 0) {
    if (size > declared) {
      // node:http never hands out more than the Content-Length; refuse rather than overrun.
      detach(this);
      this.pause();
      c.reject(new BodyIncompleteError(`request body longer than its Content-Length ${declared}`, declared, size));
      return;
    }
    if (c.target !== null) {
      c.target.set(chunk, offset);
    } else if (offset === 0 && size === declared) {
      c.single = chunk; // the whole body in one chunk: keep it, no copy
    } else {
      // Not zero-filled: every byte is written before it is handed out, or it is never handed out.
      const target = declared < POOLED_BELOW ? Buffer.allocUnsafe(declared) : Buffer.allocUnsafeSlow(declared);
      target.set(chunk, 0);
      c.target = target;
    }
    return;
  }
  if (c.chunks !== null) c.chunks.push(chunk);
  else if (c.single === null) c.single = chunk;
  else {
    c.chunks = [c.single, chunk];
    c.single = null;
  }
}

function onEnd(this: Collecting): void {
  const c = detach(this);
  if (c.declared >= 0 && c.size !== c.declared) {
    c.reject(new BodyIncompleteError(`request body of ${c.size} bytes, Content-Length ${c.declared}`, c.declared, c.size));
    return;
  }
  c.resolve(c.target ?? c.single ?? (c.chunks !== null ? Buffer.concat(c.chunks, c.size) : EMPTY));
}

function onError(this: Collecting, error: Error): void {
  const c = detach(this);
  c.reject(new BodyIncompleteError(`request body not read to its end: ${error.message}`, c.declared < 0 ? undefined : c.declared, c.size, { cause: error }));
}

function onClose(this: Collecting): void {
  // 'close' before 'end' and without 'error': destroyed without an error (e.g. req.destroy()).
  const c = detach(this);
  c.reject(new BodyIncompleteError('request stream closed before the body ended', c.declared < 0 ? undefined : c.declared, c.size));
}
