import type { GatewayDeps } from '../gateway-deps.js';
import type { GatewayMiddleware } from '../context.js';
import { reject } from '../reject.js';

/**
 * Providers only POST. Checked before anything else, so any other method (a CORS preflight
 * OPTIONS included) is 405 whatever the path. The hook is looked up only to label the metric.
 */
export function checkMethod(deps: GatewayDeps): GatewayMiddleware {
  return (ctx, next) => {
    if (ctx.method === 'POST') return next();
    const match = ctx.state.runtime.routes.match(ctx.path);
    if (match) ctx.state.hookLabel = match.hook.name;
    reject(ctx, deps, 'method');
  };
}
