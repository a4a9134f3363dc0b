import type { GatewayContext } from './context.js';
import type { GatewayDeps } from './gateway-deps.js';
import type { Reason } from '../observability/metric-names.js';
import { reject, type RejectOptions } from './reject.js';

/**
 * A failed authentication: counted towards the lockout of (source, hook), then answered. The
 * `failures`-th one still gets its own answer; once the source is locked out, 429. A store outage
 * never changes the answer: the failure just goes uncounted (and the store reports its state).
 * Always resolves to false: the request has been answered (a step's result).
 */
export async function failAuth(ctx: GatewayContext, deps: GatewayDeps, reason: Reason, options: RejectOptions = {}): Promise<false> {
  const hook = ctx.state.hook;
  if (hook) {
    try {
      const result = await deps.store.recordAuthFailure(hook.config.limits, ctx.state.source);
      if (result.state === 'locked_before') {
        reject(ctx, deps, 'locked_out', { ...options, retryAfterSeconds: result.retryAfterSeconds });
        return false;
      }
      if (result.state === 'locked_now') {
        deps.logger.warn({ event: 'locked_out', hook: hook.name, source: ctx.state.source, requestId: ctx.state.requestId }, 'source locked out after repeated failed authentication');
      }
    } catch (error) {
      deps.logger.error({ event: 'state_error', err: error, requestId: ctx.state.requestId }, 'could not record a failed authentication');
    }
  }
  reject(ctx, deps, reason, options);
  return false;
}
