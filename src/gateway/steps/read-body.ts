import type { GatewayContext } from '../context.js';
import type { GatewayDeps } from '../gateway-deps.js';
import { reject } from '../reject.js';
import { BodyIncompleteError, BodyTooLargeError, collectBody, declaredLength } from '../collect-body.js';
import { bodyLength } from '../../verify/join-body.js';

/**
 * Reads the raw body, enforcing maxBodyBytes while streaming (collect-body.ts): a Content-Length
 * over the limit is refused before a byte is read, and a chunked body is refused as soon as it
 * passes the limit, so an oversized body never sits in memory. The connection is then closed, since
 * the rest of the body is still on its way. A body cut off is never a 500: a client that went away
 * gets no answer (logged at debug), and one that still listens gets 400 `malformed`.
 *
 * Before reading, the body's bytes are reserved from maxBufferedBodyBytes, shared by every request:
 * its Content-Length, or the hook's maxBodyBytes for a chunked body until its real size is known.
 * When they do not fit, the request is answered 503 `unavailable` (Retry-After: 1) and its
 * connection closed, unread: memory stays bounded however many large deliveries arrive at once.
 * handle-request.ts gives the reservation back when the request ends.
 */
export async function readBody(ctx: GatewayContext, deps: GatewayDeps): Promise<boolean> {
  const limit = ctx.state.hook!.config.maxBodyBytes;
  const declared = declaredLength(ctx.req);
  if (declared <= limit) {
    const wanted = declared >= 0 ? declared : limit;
    const lifecycle = deps.lifecycle;
    const budget = ctx.state.runtime.config.maxBufferedBodyBytes;
    if (lifecycle.bufferedBodyBytes + wanted > budget) {
      reject(ctx, deps, 'unavailable', { retryAfterSeconds: 1, close: true, detail: { cause: 'body_budget', wanted, held: lifecycle.bufferedBodyBytes, budget } });
      return false;
    }
    lifecycle.bufferedBodyBytes += wanted;
    ctx.state.bodyReserved = wanted;
  }
  try {
    ctx.state.body = await collectBody(ctx.req, limit, declared);
    if (declared < 0) {
      // Chunked: keep only what the body turned out to need.
      const size = bodyLength(ctx.state.body);
      deps.lifecycle.bufferedBodyBytes -= ctx.state.bodyReserved! - size;
      ctx.state.bodyReserved = size;
    }
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
