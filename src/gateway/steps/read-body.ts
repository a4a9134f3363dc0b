import type { GatewayContext } from '../context.js';
import type { GatewayDeps } from '../gateway-deps.js';
import { reject } from '../reject.js';
import { BodyIncompleteError, BodyTooLargeError, collectBody } from '../collect-body.js';

/**
 * Reads the raw body, enforcing maxBodyBytes while streaming (collect-body.ts): a Content-Length
 * over the limit is refused before a byte is read, and a chunked body is refused as soon as it
 * passes the limit, so an oversized body never sits in memory. The connection is then closed, since
 * the rest of the body is still on its way. A body cut off is never a 500: a client that went away
 * gets no answer (logged at debug), and one that still listens gets 400 `malformed`.
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
      if (!ctx.req.socket.writable) {
        // The client is gone (a reset), or the HTTP layer already answered the broken request
        // (a half-close mid-body is a parser error: 400 `malformed`, counted and logged by
        // create-gateway-server.ts). Nobody is left to answer, and it must not count twice.
        deps.logger.debug({ event: 'client_gone', hook: ctx.state.hookLabel, requestId: ctx.state.requestId, expected: error.expected, received: error.received }, 'request body cut off');
        ctx.respond = false;
        return false;
      }
      reject(ctx, deps, 'malformed', { close: true, detail: { cause: 'incomplete_body', expected: error.expected, received: error.received } });
      return false;
    }
    throw error;
  }
  return true;
}
