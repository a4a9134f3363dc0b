import type { GatewayDeps } from '../gateway-deps.js';
import type { GatewayMiddleware } from '../context.js';
import { countOutcome } from '../../observability/gateway-metrics.js';
import { HEADER } from '../answers.js';
import { reject } from '../reject.js';
import { inFlightSecondsOf, settleClaim } from '../delivery-claim.js';

/**
 * Replay protection by the provider's delivery id, after the signature is verified. A delivery is
 * recorded as done only when the app answered 2xx; any other end (app error, timeout, app down, a
 * bug) releases the claim so the provider's retry goes through. A second copy arriving while the
 * first is in flight gets 409. Ids in headers were claimed by admit; ids in the body (Stripe's
 * event id) are claimed here.
 */
export function deduplicate(deps: GatewayDeps): GatewayMiddleware {
  return async (ctx, next) => {
    const hook = ctx.state.hook!;
    const dedupe = hook.config.dedupe;
    if (!dedupe) return next();
    if (!ctx.state.claim) {
      const id = hook.scheme.deliveryId({ body: ctx.state.body!, headers: ctx.req.headers, url: hook.config.path });
      if (id === undefined || id.length === 0 || id.length > 512) return next();
      const result = await deps.store.claimDelivery(hook.name, id, inFlightSecondsOf(ctx.state.runtime.config.timeouts));
      ctx.state.claim = { deliveryId: id, result, settled: false };
    }
    const claim = ctx.state.claim;
    if (claim.result === 'done') {
      ctx.status = 200;
      ctx.set(HEADER.duplicate, 'true');
      ctx.type = 'text/plain; charset=utf-8';
      ctx.body = 'duplicate delivery: already accepted\n';
      countOutcome(deps.metrics, hook.name, 'duplicate');
      deps.rejections.write({ kind: 'duplicate', reason: 'replay', hook: hook.name, source: ctx.state.source, status: 200, requestId: ctx.state.requestId, userAgent: ctx.get('user-agent') || undefined });
      return;
    }
    if (claim.result === 'in_flight') {
      reject(ctx, deps, 'replay', { detail: { cause: 'in_flight' } });
      return;
    }
    if (claim.result === 'unavailable') {
      reject(ctx, deps, 'unavailable', { retryAfterSeconds: 5, detail: { cause: 'state_store' } });
      return;
    }
    let accepted = false;
    try {
      await next();
      accepted = ctx.state.forwarded === true && ctx.status >= 200 && ctx.status < 300;
    } finally {
      settleClaim(ctx, deps, accepted);
    }
  };
}
