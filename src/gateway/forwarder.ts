import { Pool, errors } from 'undici';
import type { Timeouts } from '../config/types.js';

export interface ForwardRequest {
  /** Path and query on the app. */
  readonly path: string;
  /** Flat [name, value, name, value, ...] list, hop-by-hop headers already removed. */
  readonly headers: string[];
  readonly body: Buffer;
}

export type ForwardResult =
  | { readonly ok: true; readonly status: number; readonly headers: Record<string, string | string[] | undefined>; readonly body: Buffer; readonly seconds: number }
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

  async function forward(request: ForwardRequest): Promise<ForwardResult> {
    const started = process.hrtime.bigint();
    const seconds = () => Number(process.hrtime.bigint() - started) / 1e9;
    try {
      const response = await pool.request({
        path: request.path,
        method: 'POST',
        headers: request.headers,
        body: request.body,
        // headersTimeout bounds the wait for the app's answer and bodyTimeout each pause in its body;
        // a per-request AbortSignal for one overall deadline cost more than the rest of the call.
      });
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const chunk of response.body) {
        size += (chunk as Buffer).length;
        if (size > MAX_RESPONSE_BYTES) {
          response.body.destroy();
          throw new ResponseTooLarge('app response over the buffer limit');
        }
        chunks.push(chunk as Buffer);
      }
      return { ok: true, status: response.statusCode, headers: response.headers, body: Buffer.concat(chunks, size), seconds: seconds() };
    } catch (error) {
      return { ok: false, ...classify(error), seconds: seconds() };
    }
  }

  return {
    forward,
    close: () => pool.close(),
  };
}

/** Errors are told apart by class and code, never by message text. */
function classify(error: unknown): { failure: 'unreachable' | 'timeout'; code: string } {
  if (error instanceof errors.HeadersTimeoutError || error instanceof errors.BodyTimeoutError) return { failure: 'timeout', code: error.code };
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return { failure: 'timeout', code: 'UPSTREAM_DEADLINE' };
  if (error instanceof errors.ConnectTimeoutError) return { failure: 'unreachable', code: error.code };
  const code = (error as { code?: unknown })?.code;
  return { failure: 'unreachable', code: typeof code === 'string' ? code : 'UNKNOWN' };
}
