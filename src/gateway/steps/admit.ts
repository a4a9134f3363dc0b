import type { GatewayContext } from '../context.js';
import type { GatewayDeps } from '../gateway-deps.js';
import { reject } from '../reject.js';
import { inFlightSecondsOf } from '../delivery-claim.js';

const NO_BODY: readonly Buffer[] = [];

/**
 * Lockout and rate limits, before the body is read so that a flood costs no body bytes. The store
 * tells an over-limit (429) from its own outage (`unavailable`, 503 in onError: closed) by value.
 *
 * When the provider puts its delivery id in a header, the replay claim rides on the same store call
 * (one Redis round trip for both). The claim is only acted on after the signature is verified
 * (claimReplay); if the request is refused before that, the pipeline releases it.
 */
export async function admit(ctx: GatewayContext, deps: GatewayDeps): Promise<boolean> {
  const hook = ctx.state.hook!;
  const deliveryId = hook.config.dedupe && hook.scheme.deliveryIdInHeaders ? headerDeliveryId(ctx) : undefined;
  if (deliveryId === undefined) {
    const decision = await deps.store.admit(hook.config.limits, ctx.state.source);
    if (decision.ok) return true;
    reject(ctx, deps, decision.reason, { retryAfterSeconds: decision.retryAfterSeconds });
    return false;
  }
  const { decision, claim } = await deps.store.admitAndClaim(hook.config.limits, ctx.state.source, {
    hook: hook.name,
    deliveryId,
    inFlightSeconds: inFlightSecondsOf(ctx.state.runtime.config.timeouts),
  });
  if (!decision.ok) {
    reject(ctx, deps, decision.reason, { retryAfterSeconds: decision.retryAfterSeconds });
    return false;
  }
  ctx.state.claim = { deliveryId, result: claim ?? 'unavailable', settled: false };
  return true;
}

function headerDeliveryId(ctx: GatewayContext): string | undefined {
  const hook = ctx.state.hook!;
  const id = hook.scheme.deliveryId({ body: NO_BODY, headers: ctx.req.headers, url: hook.config.path });
  return id !== undefined && id.length > 0 && id.length <= 512 ? id : undefined;
}
