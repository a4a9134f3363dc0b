import type { GatewayDeps } from '../gateway-deps.js';
import type { GatewayMiddleware } from '../context.js';
import { normalizeAddress } from '../../net/normalize-address.js';
import { reject } from '../reject.js';

/**
 * The hook's source allowlist, against the client address that trackRequest derived (X-Forwarded-For
 * believed only through trusted proxies). No allowlist: any source.
 */
export function checkSource(deps: GatewayDeps): GatewayMiddleware {
  return (ctx, next) => {
    const allowed = ctx.state.hook?.config.sources;
    if (!allowed) return next();
    const address = normalizeAddress(ctx.state.source);
    if (address && allowed.matches(address)) return next();
    reject(ctx, deps, 'source', { detail: { peer: ctx.req.socket.remoteAddress } });
  };
}
