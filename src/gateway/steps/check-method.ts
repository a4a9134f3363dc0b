import type { GatewayContext } from '../context.js';
import type { GatewayDeps } from '../gateway-deps.js';
import { reject } from '../reject.js';

/**
 * Providers only POST. Checked before anything else, so any other method (a CORS preflight
 * OPTIONS included) is 405 whatever the path. The hook is looked up only to label the metric.
 */
export function checkMethod(ctx: GatewayContext, deps: GatewayDeps): boolean {
  if (ctx.method === 'POST') return true;
  const match = ctx.state.runtime.routes.match(ctx.path);
  if (match) ctx.state.hookLabel = match.hook.name;
  reject(ctx, deps, 'method');
  return false;
}
