import type { GatewayDeps } from '../gateway-deps.js';
import type { GatewayMiddleware } from '../context.js';
import { countOutcome } from '../../observability/gateway-metrics.js';
import { HEADER } from '../answers.js';
import { reject } from '../reject.js';

/**
 * Replay protection by the provider's delivery id. A delivery is recorded as done only when the
 * app answered 2xx; any other end (app error, timeout, app down, a bug) releases the claim so the
 * provider's retry goes through. A second copy arriving while the first is in flight gets 409.
 */
export function deduplicate(deps: GatewayDeps): GatewayMiddleware {
  return async (ctx, next) => {
    const hook = ctx.state.hook!;
    const dedupe = hook.config.dedupe;
    if (!dedupe) return next();
    const id = hook.scheme.deliveryId({ body: ctx.state.body!, headers: ctx.req.headers, url: ctx.path });
    if (id === undefined || id.length === 0 || id.length > 512) return next();

    // The claim outlives the longest the app may take, so it cannot lapse under a live request.
    const timeouts = ctx.state.runtime.config.timeouts;
    const inFlightSeconds = Math.ceil((timeouts.upstreamMs + timeouts.upstreamConnectMs) / 1000) + 5;
    const claim = await deps.store.claimDelivery(hook.name, id, inFlightSeconds);
    if (claim === 'done') {
      ctx.status = 200;
      ctx.set(HEADER.duplicate, 'true');
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = 'duplicate delivery: already accepted\n';
      countOutcome(deps.metrics, hook.name, 'duplicate');
      deps.logger.info({ event: 'duplicate', hook: hook.name, requestId: ctx.state.requestId, source: ctx.state.source }, 'duplicate delivery answered from the replay record');
      return;
    }
    if (claim === 'in_flight') {
      reject(ctx, deps, 'replay', { detail: { cause: 'in_flight' } });
      return;
    }
    if (claim === 'unavailable') {
      reject(ctx, deps, 'unavailable', { retryAfterSeconds: 5, detail: { cause: 'state_store' } });
      return;
    }
    let accepted = false;
    try {
      await next();
      accepted = ctx.state.forwarded === true && ctx.status >= 200 && ctx.status < 300;
    } finally {
      try {
        await deps.store.settleDelivery(hook.name, id, accepted, dedupe.ttlSeconds);
      } catch (error) {
        deps.logger.error({ event: 'state_error', err: error, requestId: ctx.state.requestId }, 'could not settle a delivery record');
      }
    }
  };
}
