import type { GatewayContext } from './context.js';
import { HOP_BY_HOP, connectionListed } from './hop-by-hop.js';
import { HEADER } from './answers.js';

/** The app's answer as the forwarder buffered it. */
export interface AppAnswer {
  readonly status: number;
  /** undici's raw headers: [name, value, name, value, ...] as they came on the wire. */
  readonly rawHeaders: readonly Buffer[];
  readonly body: Buffer;
}

export interface AppAnswerOptions {
  readonly requestId: string;
  /** Draining: ask the client to stop reusing this connection. */
  readonly close: boolean;
}

/** Answers that carry no content (RFC 9110 sections 15.3.5, 15.3.6, 15.4.5). */
const NO_CONTENT: ReadonlySet<number> = new Set([204, 205, 304]);

const REQUEST_ID = HEADER.requestId.toLowerCase();

/** Bodies up to this size are copied once into the head's string rather than written beside it. */
const ONE_WRITE_MAX = 8192;

/**
 * Writes the app's answer to the client as it came: its status, its headers in their order and
 * spelling, its body. Left out: hop-by-hop headers (and any the app's Connection header names),
 * any Access-Control-* header (the sidecar never grants a browser anything) and the app's own
 * X-Request-Id. Added: hookguard's X-Request-Id, the Content-Length of the buffered body, and
 * `Connection: close` while draining.
 *
 * The answer is written on node:http in one `writeHead` with a flat header list, and Koa is told to
 * stand aside (`ctx.respond = false`): this is the path every accepted delivery takes, and Koa's
 * `respond` with a delegated `ctx.set` per header cost more than the rest of the answer
 * (docs/performance.md, "What each change bought"). Rejections still answer through Koa.
 */
export function writeAppAnswer(ctx: GatewayContext, answer: AppAnswer, options: AppAnswerOptions): void {
  const headers = appHeaders(answer.rawHeaders);
  headers.push(HEADER.requestId, options.requestId);
  if (options.close) headers.push('Connection', 'close');
  const content = !NO_CONTENT.has(answer.status);
  if (content || answer.status === 205) headers.push('Content-Length', content ? String(answer.body.length) : '0');
  const res = ctx.res;
  // Should writeHead throw, nothing was written and Koa still answers (the gateway's 500).
  res.writeHead(answer.status, headers);
  ctx.respond = false;
  if (!content) res.end();
  else if (answer.body.length <= ONE_WRITE_MAX) {
    // A small body goes as a Latin-1 string, which maps every byte to one character and back, so
    // that node joins head and body into one string. `write` corks the socket until the next tick;
    // uncorking at once sends that string as one plain socket write, and `end` finds nothing left
    // to send. (`end(body)` sends the head, the body and an empty last chunk as a three-chunk
    // writev through the stream's buffering: an array, a request object and callbacks per answer.)
    res.write(answer.body.toString('latin1'), 'latin1');
    res.socket?.uncork();
    res.end();
  } else res.end(answer.body);
}


/** The app's headers that go back to the client, as a flat [name, value, ...] list. */
export function appHeaders(raw: readonly Buffer[]): string[] {
  const kept: string[] = [];
  let connection: string[] | null = null;
  for (let i = 0; i + 1 < raw.length; i += 2) {
    const name = raw[i]!.toString('latin1');
    const lower = name.toLowerCase();
    if (lower === 'connection') (connection ??= []).push(raw[i + 1]!.toString('latin1'));
    if (HOP_BY_HOP.has(lower) || lower.startsWith('access-control-') || lower === REQUEST_ID) continue;
    kept.push(name, raw[i + 1]!.toString('latin1'));
  }
  if (connection === null) return kept;
  const listed = connectionListed(connection);
  const filtered: string[] = [];
  for (let i = 0; i < kept.length; i += 2) {
    if (!listed.has(kept[i]!.toLowerCase())) filtered.push(kept[i]!, kept[i + 1]!);
  }
  return filtered;
}
