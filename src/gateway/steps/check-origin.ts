import type { GatewayContext, StepResult } from '../context.js';
import type { GatewayDeps } from '../gateway-deps.js';
import { failAuth } from '../fail-auth.js';

/**
 * Refuses what a browser sends (CSRF). Providers are servers: they never send Origin, the
 * Sec-Fetch-* metadata headers or cookies. Browsers add Sec-Fetch-Site/Mode to every request and
 * Origin to every cross-site POST, and attach cookies on their own. Any of them means a page in
 * someone's browser is posting here. Only header names are logged, never cookie values.
 */
export function checkOrigin(ctx: GatewayContext, deps: GatewayDeps): StepResult {
  const headers = ctx.req.headers;
  const origin = headers.origin;
  const originRefused = origin !== undefined && !ctx.state.hook?.origins.has(origin);
  if (!originRefused && headers['sec-fetch-site'] === undefined && headers['sec-fetch-mode'] === undefined && headers.cookie === undefined) return true;
  const offending: string[] = [];
  if (originRefused) offending.push('origin');
  if (headers['sec-fetch-site'] !== undefined) offending.push('sec-fetch-site');
  if (headers['sec-fetch-mode'] !== undefined) offending.push('sec-fetch-mode');
  if (headers.cookie !== undefined) offending.push('cookie');
  return failAuth(ctx, deps, 'origin', { detail: { headers: offending } });
}
