import { performance } from 'node:perf_hooks';
import { Pool, errors } from 'undici';
import type { Dispatcher } from 'undici';
import type { Timeouts } from '../config/types.js';
import type { BodyChunks } from '../verify/types.js';
import { bodyLength } from '../verify/join-body.js';

export interface ForwardRequest {
  /** Path and query on the app. */
  readonly path: string;
  /** Flat [name, value, name, value, ...] list, hop-by-hop headers already removed. */
  readonly headers: string[];
  /** The body as it arrived (collect-body.ts): written chunk by chunk, never joined. */
  readonly body: BodyChunks;
}

export type ForwardResult =
  | { readonly ok: true; readonly status: number; readonly rawHeaders: readonly Buffer[]; readonly body: Buffer; readonly seconds: number }
  | { readonly ok: false; readonly failure: 'unreachable' | 'timeout'; readonly code: string; readonly seconds: number };

export interface Forwarder {
  forward(request: ForwardRequest): Promise<ForwardResult>;
  close(): Promise<void>;
}

/**
 * How long an idle connection to the app is kept when the app sends no Keep-Alive hint. Below the
 * shortest idle timeouts of common app servers (gunicorn 2 s, Node 5 s); reconnecting on loopback
 * costs far less than one reset delivery.
 */
export const DEFAULT_UPSTREAM_IDLE_MS = 1_000;

/** The app's answer is buffered so that a failure half-way is a 502, never a truncated 2xx. */
const MAX_RESPONSE_BYTES = 8 * 1_048_576;

const EMPTY = Buffer.alloc(0);

class ResponseTooLarge extends Error {
  readonly code = 'HOOKGUARD_RESPONSE_TOO_LARGE';
}

/**
 * Forwards deliveries to the app over a keep-alive pool (undici).
 *
 * Keep-alive: the app closes idle connections after its own timeout (Node's default is 5 s). A
 * request sent on a connection the app is closing at that moment is reset, so the pool must drop
 * idle connections first: it honours the app's `Keep-Alive: timeout=N` hint minus a margin, and
 * without a hint keeps connections for at most `keepAliveMs` (DEFAULT_UPSTREAM_IDLE_MS).
 *
 * Each call is one `pool.dispatch()` (the body as dispatchBody hands it over) with a small handler
 * object that collects the answer's chunks into an array and settles one promise; the answer's raw
 * headers are handed on as they came, for app-answer.ts to filter once into the client's answer. No
 * Readable, no async iterator, no AbortSignal. The pool's headersTimeout bounds the wait for the
 * app's answer and its bodyTimeout each pause in the body.
 */
export function createForwarder(upstream: URL, timeouts: Timeouts, options: { connections?: number; keepAliveMs?: number } = {}): Forwarder {
  const pool = new Pool(upstream.origin, {
    connections: options.connections ?? 64,
    pipelining: 1,
    keepAliveTimeout: options.keepAliveMs ?? DEFAULT_UPSTREAM_IDLE_MS,
    keepAliveMaxTimeout: 30_000,
    keepAliveTimeoutThreshold: 1_000,
    connect: { timeout: timeouts.upstreamConnectMs },
    headersTimeout: timeouts.upstreamMs,
    bodyTimeout: timeouts.upstreamMs,
  });

  function forward(request: ForwardRequest): Promise<ForwardResult> {
    const handler = new ForwardHandler();
    const settled = new Promise<ForwardResult>((resolve) => {
      handler.resolve = resolve;
    });
    try {
      pool.dispatch({ path: request.path, method: 'POST', ...dispatchBody(request) }, handler);
    } catch (error) {
      // dispatch() reports its own failures through onError; this is a belt for anything else.
      handler.onError(error as Error);
    }
    return settled;
  }

  return {
    forward,
    close: () => pool.close(),
  };
}

/**
 * One request's state. It speaks undici's core handler protocol (onConnect, onHeaders, onData,
 * onComplete, onError): the one undici 7's HTTP/1 client calls natively. The newer controller API
 * (onRequestStart, onResponseStart, ...) is adapted onto it by undici's UnwrapHandler, which costs a
 * controller object and a parsed header object per request.
 * undici's types mark these methods @deprecated: on a major upgrade of undici, check that they are
 * still called (test/gateway/forwarder.test.ts fails at once if they are not).
 *
 * The promise always resolves, never rejects: a failure is a ForwardResult too.
 */
class ForwardHandler implements Dispatcher.DispatchHandler {
  resolve: (result: ForwardResult) => void = noop;
  private readonly started = performance.now();
  private abort: ((error?: Error) => void) | null = null;
  private status = 0;
  private rawHeaders: Buffer[] | null = null;
  /** The first chunk; most answers have one. */
  private first: Buffer | null = null;
  private rest: Buffer[] | null = null;
  private size = 0;
  private done = false;

  onConnect(abort: (error?: Error) => void): void {
    // Called again if undici retries the request on a fresh connection before any answer came.
    this.abort = abort;
    this.status = 0;
    this.rawHeaders = null;
    this.first = null;
    this.rest = null;
    this.size = 0;
  }

  onHeaders(statusCode: number, rawHeaders: Buffer[], _resume: () => void, _statusText: string): boolean {
    if (statusCode < 200) return true; // 1xx: informational, the real answer follows
    if (declaredLength(rawHeaders) > MAX_RESPONSE_BYTES) {
      // Declared too large: refuse before reading a byte of it.
      this.abort!(new ResponseTooLarge('app response over the buffer limit'));
      return false;
    }
    this.status = statusCode;
    this.rawHeaders = rawHeaders;
    return true;
  }

  onData(chunk: Buffer): boolean {
    // `chunk` is a view into the socket's read buffer, which undici never reuses: keeping it is safe.
    const size = this.size + chunk.length;
    if (size > MAX_RESPONSE_BYTES) {
      this.abort!(new ResponseTooLarge('app response over the buffer limit'));
      return false;
    }
    this.size = size;
    if (this.first === null) this.first = chunk;
    else if (this.rest === null) this.rest = [this.first, chunk];
    else this.rest.push(chunk);
    return true;
  }

  onComplete(_trailers: string[] | null): void {
    if (this.done) return;
    this.done = true;
    const body = this.rest !== null ? Buffer.concat(this.rest, this.size) : (this.first ?? EMPTY);
    this.resolve({ ok: true, status: this.status, rawHeaders: this.rawHeaders ?? [], body, seconds: (performance.now() - this.started) / 1e3 });
    this.first = null;
    this.rest = null;
  }

  onError(error: Error): void {
    if (this.done) return;
    this.done = true;
    this.first = null;
    this.rest = null;
    const { failure, code } = classify(error);
    this.resolve({ ok: false, failure, code, seconds: (performance.now() - this.started) / 1e3 });
  }
}

function noop(): void {}

/**
 * The body and headers as undici takes them. No chunk or one (nearly every delivery): a Buffer,
 * which undici writes as is (cork, head, body, uncork), with a Content-Length from its length. More
 * than one (a large body): the array itself, which undici writes chunk by chunk, waiting for the
 * socket to drain, and without copying; it takes the length from the headers, so one is added when
 * the client sent none (a chunked request), and undici refuses to send more or fewer bytes than a
 * Content-Length that is there.
 * undici's dispatch takes any iterable as a body (its docs and its own check say so); its type
 * declarations list only the other kinds, hence the one cast. test/gateway/forwarder.test.ts sends
 * bodies of many chunks, with and without a Content-Length, and fails if undici stops taking them.
 */
function dispatchBody(request: ForwardRequest): { headers: string[]; body: Dispatcher.DispatchOptions['body'] } {
  const body = request.body;
  if (body.length <= 1) return { headers: request.headers, body: body[0] ?? EMPTY };
  const iterable = body as unknown as Dispatcher.DispatchOptions['body'];
  if (hasContentLength(request.headers)) return { headers: request.headers, body: iterable };
  return { headers: [...request.headers, 'Content-Length', String(bodyLength(body))], body: iterable };
}

function hasContentLength(headers: readonly string[]): boolean {
  for (let i = 0; i < headers.length; i += 2) if (headers[i]!.length === 14 && headers[i]!.toLowerCase() === 'content-length') return true;
  return false;
}

/** The Content-Length the app declared (raw headers as Buffers), 0 when it declared none. */
function declaredLength(raw: readonly Buffer[]): number {
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!;
    // 14 bytes: a cheap filter before the case-insensitive compare.
    if (name.length === 14 && name.toString('latin1').toLowerCase() === 'content-length') return Number(raw[i + 1]!.toString('latin1'));
  }
  return 0;
}

/** Errors are told apart by class and code, never by message text. */
function classify(error: unknown): { failure: 'unreachable' | 'timeout'; code: string } {
  if (error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError) return { failure: 'timeout', code: error.code };
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return { failure: 'timeout', code: 'UPSTREAM_DEADLINE' };
  if (error instanceof errors.ConnectTimeoutError) return { failure: 'unreachable', code: error.code };
  const code = (error as { code?: unknown })?.code;
  return { failure: 'unreachable', code: typeof code === 'string' ? code : 'UNKNOWN' };
}
