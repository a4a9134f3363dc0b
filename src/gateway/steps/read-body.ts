import type { GatewayContext } from '../context.js';
import type { GatewayDeps } from '../gateway-deps.js';
import { reject } from '../reject.js';
import { BodyIncompleteError, BodyTooLargeError, collectBody } from '../collect-body.js';

/**
 * Reads the raw body, enforcing maxBodyBytes while streaming (collect-body.ts): a Content-Length
 * over the limit is refused before a byte is read, and a chunked body is refused as soon as it
 * passes the limit, so an oversized body never sits in memory. The connection is then closed, since
 * the rest of the body is still on its way. A client that goes away or sends less than it declared
 * gets a 400 `malformed` on a closed connection (if it still listens), not a 500.
 */
export async function readBody(ctx: GatewayContext, deps: GatewayDeps): Promise<boolean> {
  const limit = ctx.state.hook!.config.maxBodyBytes;
  try {
    ctx.state.body = await collectBody(ctx.req, limit);
  } catch (error) {
    if (error instanceof BodyTooLargeError) {
      reject(ctx, deps, 'too_large', { close: true, detail: error.declared !== undefined ? { contentLength: error.declared, limit } : { limit, chunked: true } });
      return false;
    }
    if (error instanceof BodyIncompleteError) {
      reject(ctx, deps, 'malformed', { close: true, detail: { cause: 'incomplete_body', expected: error.expected, received: error.received } });
      return false;
    }
    throw error;
  }
  return true;
}
