import { randomUUID } from 'node:crypto';
import type { GatewayDeps } from '../gateway-deps.js';
import type { GatewayMiddleware } from '../context.js';
import { UNMATCHED_HOOK } from '../../observability/metric-names.js';
import { observeRequest } from '../../observability/gateway-metrics.js';
import { clientAddress } from '../../net/client-address.js';
import { peerAddress, peerText } from '../../net/peer-address.js';
import { HEADER } from '../answers.js';
import { reject } from '../reject.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The outermost step: gives the request its id, source and runtime, refuses work while shutting
 * down or over the in-flight cap, times it, and turns a bug into a plain 500 (whose text never
 * reaches the client) rather than a crash.
 */
export function trackRequest(deps: GatewayDeps): GatewayMiddleware {
  return async (ctx, next) => {
    const started = process.hrtime.bigint();
    const runtime = deps.runtime();
    const incomingId = ctx.get('x-request-id');
    ctx.state.runtime = runtime;
    ctx.state.requestId = REQUEST_ID.test(incomingId) ? incomingId : randomUUID();
    ctx.state.hookLabel = UNMATCHED_HOOK;
    const peer = peerAddress(ctx.req.socket);
    const address = clientAddress(peer, ctx.req.headers['x-forwarded-for'], runtime.config.trustedProxies);
    ctx.state.peer = peer;
    ctx.state.address = address;
    ctx.state.source = address === peer ? peerText(ctx.req.socket) : address?.toString() ?? '';
    ctx.state.search = ctx.querystring === '' ? '' : `?${ctx.querystring}`;
    ctx.set(HEADER.requestId, ctx.state.requestId);

    const lifecycle = deps.lifecycle;
    if (lifecycle.shuttingDown) {
      reject(ctx, deps, 'unavailable', { retryAfterSeconds: 1, close: true });
      return;
    }
    if (lifecycle.inFlight >= runtime.config.maxInFlight) {
      reject(ctx, deps, 'unavailable', { retryAfterSeconds: 1, close: true, detail: { cause: 'max_in_flight' } });
      return;
    }
    lifecycle.inFlight++;
    deps.metrics.inFlight.inc();
    try {
      await next();
    } catch (error) {
      deps.logger.error({ event: 'internal_error', err: error, requestId: ctx.state.requestId, hook: ctx.state.hookLabel }, 'request failed inside the gateway');
      ctx.status = 500;
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = 'internal error\n';
    } finally {
      lifecycle.inFlight--;
      deps.metrics.inFlight.dec();
      // Once draining, answers carry Connection: close so clients stop reusing this replica.
      if (lifecycle.shuttingDown) ctx.set('Connection', 'close');
      observeRequest(deps.metrics, ctx.state.hookLabel, Number(process.hrtime.bigint() - started) / 1e9);
    }
  };
}
