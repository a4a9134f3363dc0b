import type { GatewayDeps } from '../gateway-deps.js';
import type { GatewayMiddleware } from '../context.js';
import { reject } from '../reject.js';

/**
 * Lockout and rate limits, before the body is read so that a flood costs no body bytes. The store
 * tells an over-limit (429) from its own outage (`unavailable`, 503 in onError: closed) by value.
 */
export function admit(deps: GatewayDeps): GatewayMiddleware {
  return async (ctx, next) => {
    const hook = ctx.state.hook!;
    const decision = await deps.store.admit(hook.config.limits, ctx.state.source);
    if (decision.ok) return next();
    reject(ctx, deps, decision.reason, { retryAfterSeconds: decision.retryAfterSeconds });
  };
}
