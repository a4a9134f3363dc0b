import { randomUUID } from 'node:crypto';
import type { GatewayContext } from '../context.js';
import type { GatewayDeps } from '../gateway-deps.js';
import { UNMATCHED_HOOK } from '../../observability/metric-names.js';
import { clientAddress } from '../../net/client-address.js';
import { peerAddress, peerText } from '../../net/peer-address.js';
import { reject } from '../reject.js';

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/**
 * The first step: gives the request its id, source and runtime, and refuses work while shutting
 * down or over the in-flight cap. The runtime is read once, so a reload never tears a request in
 * half.
 */
export function trackRequest(ctx: GatewayContext, deps: GatewayDeps): boolean {
  const runtime = deps.runtime();
  const req = ctx.req;
  const incomingId = req.headers['x-request-id'];
  const state = ctx.state;
  state.runtime = runtime;
  state.requestId = typeof incomingId === 'string' && REQUEST_ID.test(incomingId) ? incomingId : randomUUID();
  state.hookLabel = UNMATCHED_HOOK;
  const peer = peerAddress(req.socket);
  const address = clientAddress(peer, req.headers['x-forwarded-for'], runtime.config.trustedProxies);
  state.peer = peer;
  state.address = address;
  state.source = address === peer ? peerText(req.socket) : address?.toString() ?? '';
  const query = ctx.querystring;
  state.search = query === '' ? '' : `?${query}`;

  const lifecycle = deps.lifecycle;
  if (lifecycle.shuttingDown) {
    reject(ctx, deps, 'unavailable', { retryAfterSeconds: 1, close: true });
    return false;
  }
  if (lifecycle.inFlight >= runtime.config.maxInFlight) {
    reject(ctx, deps, 'unavailable', { retryAfterSeconds: 1, close: true, detail: { cause: 'max_in_flight' } });
    return false;
  }
  return true;
}
