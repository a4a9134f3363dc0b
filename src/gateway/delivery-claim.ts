import type { Timeouts } from '../config/types.js';
import type { ClaimResult } from '../state/store.js';
import type { GatewayContext } from './context.js';
import type { GatewayDeps } from './gateway-deps.js';

/** A replay claim taken for this request, and whether it was settled yet. */
export interface RequestClaim {
  readonly deliveryId: string;
  readonly result: ClaimResult;
  settled: boolean;
}

/** The claim outlives the longest the app may take, so it cannot lapse under a live request. */
export function inFlightSecondsOf(timeouts: Timeouts): number {
  return Math.ceil((timeouts.upstreamMs + timeouts.upstreamConnectMs) / 1000) + 5;
}

/**
 * Ends this request's claim (done when `accepted`, released otherwise), once: the pipeline calls it
 * whatever happened after the claim was taken. Not awaited: the answer does not wait on Redis. The
 * Redis store queues the settle and sends it with the next script (settle-batcher.ts), which applies
 * it before its own claim, so a retry reaching this replica always sees the settled record.
 */
export function settleClaim(ctx: GatewayContext, deps: GatewayDeps, accepted: boolean): void {
  const claim = ctx.state.claim;
  const hook = ctx.state.hook;
  if (!claim || !hook || claim.settled || claim.result !== 'claimed') return;
  claim.settled = true;
  const ttl = hook.config.dedupe?.ttlSeconds ?? 0;
  // The settle may wait for the next script (up to settle-batcher's delay): this callback must not
  // hold the request (ctx, its headers and body) that long, or every request outlives a few young
  // generation collections and is promoted to the old one. Only two references are kept.
  const { logger } = deps;
  const { requestId } = ctx.state;
  deps.store.settleDelivery(hook.name, claim.deliveryId, accepted, ttl).catch((error: unknown) => {
    logger.error({ event: 'state_error', err: error, requestId }, 'could not settle a delivery record');
  });
}
