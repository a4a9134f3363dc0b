import type { GatewayDeps } from '../gateway-deps.js';
import type { GatewayMiddleware } from '../context.js';
import { failAuth } from '../fail-auth.js';

/**
 * Refuses what a browser sends (CSRF). Providers are servers: they never send Origin, the
 * Sec-Fetch-* metadata headers or cookies. Browsers add Sec-Fetch-Site/Mode to every request and
 * Origin to every cross-site POST, and attach cookies on their own. Any of them means a page in
 * someone's browser is posting here. Only header names are logged, never cookie values.
 */
export function checkOrigin(deps: GatewayDeps): GatewayMiddleware {
  return async (ctx, next) => {
    const headers = ctx.req.headers;
    const offending: string[] = [];
    const origin = headers.origin;
    if (origin !== undefined && !ctx.state.hook?.origins.has(origin)) offending.push('origin');
    if (headers['sec-fetch-site'] !== undefined) offending.push('sec-fetch-site');
    if (headers['sec-fetch-mode'] !== undefined) offending.push('sec-fetch-mode');
    if (headers.cookie !== undefined) offending.push('cookie');
    if (offending.length === 0) return next();
    await failAuth(ctx, deps, 'origin', { detail: { headers: offending } });
  };
}
