import type { GatewayContext, StepResult } from '../context.js';
import type { GatewayDeps } from '../gateway-deps.js';
import type { ClaimResult } from '../../state/store.js';
import { countOutcome } from '../../observability/gateway-metrics.js';
import { HEADER } from '../answers.js';
import { reject } from '../reject.js';
import { inFlightSecondsOf } from '../delivery-claim.js';

/**
 * Replay protection by the provider's delivery id, after the signature is verified. Ids in headers
 * were claimed by admit; ids in the body (Stripe's event id) are claimed here. A delivery already
 * accepted is answered 200 with Hookguard-Duplicate without calling the app; a second copy arriving
 * while the first is in flight gets 409. What a claim becomes once the app has answered is the
 * pipeline's `settleClaim` (delivery-claim.ts): done only on a 2xx from the app, released otherwise.
 */
export function claimReplay(ctx: GatewayContext, deps: GatewayDeps): StepResult {
  const hook = ctx.state.hook!;
  if (!hook.config.dedupe) return true;
  const claim = ctx.state.claim;
  if (claim) return act(ctx, deps, claim.result);
  const id = hook.scheme.deliveryId({ body: ctx.state.body!, headers: ctx.req.headers, url: hook.config.path });
  if (id === undefined || id.length === 0 || id.length > 512) return true;
  return deps.store.claimDelivery(hook.name, id, inFlightSecondsOf(ctx.state.runtime.config.timeouts)).then((result) => {
    ctx.state.claim = { deliveryId: id, result, settled: false };
    return act(ctx, deps, result);
  });
}

function act(ctx: GatewayContext, deps: GatewayDeps, result: ClaimResult): boolean {
  if (result === 'claimed') return true;
  if (result === 'done') {
    const hook = ctx.state.hookLabel;
    ctx.status = 200;
    ctx.set(HEADER.duplicate, 'true');
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = 'duplicate delivery: already accepted\n';
    countOutcome(deps.metrics, hook, 'duplicate');
    deps.rejections.write({ kind: 'duplicate', reason: 'replay', hook, source: ctx.state.source, status: 200, requestId: ctx.state.requestId, userAgent: ctx.req.headers['user-agent'] || undefined });
    return false;
  }
  if (result === 'in_flight') reject(ctx, deps, 'replay', { detail: { cause: 'in_flight' } });
  else reject(ctx, deps, 'unavailable', { retryAfterSeconds: 5, detail: { cause: 'state_store' } });
  return false;
}
