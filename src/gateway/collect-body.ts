import type { IncomingMessage } from 'node:http';
import type { BodyChunks } from '../verify/types.js';

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

const kCollector = Symbol('hookguard.collectBody');

type Collecting = IncomingMessage & { [kCollector]?: Collector | null };

/**
 * Chunks of at least this size are kept as they came. Smaller ones after the first are copied into
 * a shared block: a client that sends its body a few bytes per packet would otherwise make node:http
 * hand over a Buffer and an ArrayBuffer (about 200 bytes of objects) per few bytes, and a body of a
 * megabyte could cost a hundred times that in memory.
 */
export const KEEP_CHUNKS_FROM = 16 * 1024;
/** The size of the blocks small chunks are copied into (less when the Content-Length says less is left). */
const BLOCK_BYTES = 64 * 1024;

/** One read's state, hung on the stream so that the listeners can be shared module-level functions. */
class Collector {
  /** The body so far, in order, except what is in `block`. */
  readonly chunks: Buffer[] = [];
  size = 0;
  /** Where small chunks are being copied, and how much of it is filled. */
  block: Buffer | null = null;
  blockUsed = 0;

  constructor(
    readonly limit: number,
    /** -1: no usable Content-Length. */
    readonly declared: number,
    readonly resolve: (body: BodyChunks) => void,
    readonly reject: (error: Error) => void,
  ) {}
}

/**
 * Reads an IncomingMessage's whole body, refusing more than `limit` bytes.
 *
 * Resolves to the body as chunks (verify/types.ts, BodyChunks): none for an empty body, one for
 * nearly every small delivery. The first chunk and every chunk of KEEP_CHUNKS_FROM bytes or more
 * are kept as node:http handed them over (each in an ArrayBuffer of its own, which nothing else
 * holds, so keeping them is safe), so a large body costs its bytes once instead of twice (chunks
 * plus a joined copy); smaller chunks after the first are copied into blocks, which bounds what a
 * body costs beyond its bytes however it was cut. The signature is computed over the chunks and
 * the forwarder writes them as they are.
 * Rejects with:
 * - BodyTooLargeError: Content-Length over `limit` (checked before anything is read), or more than
 *   `limit` bytes streamed without a Content-Length. The stream is paused and our listeners removed.
 * - BodyIncompleteError: the stream errored (client abort: `cause` is the ECONNRESET), closed before
 *   its end, or ended with a byte count other than its Content-Length.
 *
 * `declared` is the stream's declaredLength, for a caller that has read it already.
 *
 * Per call: one promise, one state object, four listeners that are shared functions (no closures).
 */
export function collectBody(stream: IncomingMessage, limit: number, declared = declaredLength(stream)): Promise<BodyChunks> {
  if (declared > limit) return Promise.reject(new BodyTooLargeError(limit, declared));
  const collecting = stream as Collecting;
  if (collecting[kCollector]) return Promise.reject(new Error('collectBody: this stream is already being read'));
  if (stream.readableEnded || stream.destroyed) {
    return Promise.reject(new BodyIncompleteError('request stream already ended or destroyed', declared < 0 ? undefined : declared, 0));
  }
  return new Promise<BodyChunks>((resolve, reject) => {
    collecting[kCollector] = new Collector(limit, declared, resolve, reject);
    stream.on('data', onData);
    stream.on('end', onEnd);
    stream.on('error', onError);
    stream.on('close', onClose);
  });
}

/** The Content-Length, or -1 when there is none to trust (absent, malformed, or with a Transfer-Encoding). */
export function declaredLength(stream: IncomingMessage): number {
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
  const size = c.size + chunk.length;
  if (size > c.limit) {
    detach(this);
    this.pause();
    c.reject(new BodyTooLargeError(c.limit, undefined));
    return;
  }
  if (c.declared >= 0 && size > c.declared) {
    // node:http never hands out more than the Content-Length; refuse rather than overrun.
    detach(this);
    this.pause();
    c.reject(new BodyIncompleteError(`request body longer than its Content-Length ${c.declared}`, c.declared, size));
    return;
  }
  c.size = size;
  const length = chunk.length;
  if (length === 0) return;
  if (length >= KEEP_CHUNKS_FROM || (c.chunks.length === 0 && c.block === null)) {
    closeBlock(c);
    c.chunks.push(chunk);
    return;
  }
  let block = c.block;
  if (block === null || block.length - c.blockUsed < length) {
    closeBlock(c);
    // Never larger than what the Content-Length says is left: a small body gets a small block.
    const left = c.declared >= 0 ? c.declared - size + length : BLOCK_BYTES;
    block = Buffer.allocUnsafeSlow(Math.max(length, Math.min(BLOCK_BYTES, left)));
    c.block = block;
  }
  // Not zero-filled: only the filled part is ever handed out.
  block.set(chunk, c.blockUsed);
  c.blockUsed += length;
}

/** Moves the filled part of the current block, if any, to the end of the chunks. */
function closeBlock(c: Collector): void {
  if (c.block === null) return;
  c.chunks.push(c.blockUsed === c.block.length ? c.block : c.block.subarray(0, c.blockUsed));
  c.block = null;
  c.blockUsed = 0;
}

function onEnd(this: Collecting): void {
  const c = detach(this);
  if (c.declared >= 0 && c.size !== c.declared) {
    c.reject(new BodyIncompleteError(`request body of ${c.size} bytes, Content-Length ${c.declared}`, c.declared, c.size));
    return;
  }
  closeBlock(c);
  c.resolve(c.chunks);
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
