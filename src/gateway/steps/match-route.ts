import type { GatewayContext, StepResult } from '../context.js';
import type { GatewayDeps } from '../gateway-deps.js';
import { reject } from '../reject.js';
import { failAuth } from '../fail-auth.js';

/**
 * Finds the hook and checks its URL token. A wrong or missing token is answered exactly like an
 * unknown path (404), so the answer never confirms that a hook exists; it still counts as a failed
 * authentication of that hook for the lockout.
 */
export function matchRoute(ctx: GatewayContext, deps: GatewayDeps): StepResult {
  const match = ctx.state.runtime.routes.match(ctx.path);
  if (!match) {
    reject(ctx, deps, 'not_found', { detail: { path: maskTokens(ctx.path) } });
    return false;
  }
  ctx.state.hook = match.hook;
  ctx.state.hookLabel = match.hook.name;
  if (match.token !== undefined) {
    const tokens = deps.tokens.tokensOf(match.hook.name);
    if (!tokens || !tokens.has(match.token)) {
      return failAuth(ctx, deps, 'not_found', { detail: { token: match.token === '' ? 'missing' : 'wrong' } });
    }
    ctx.state.urlToken = match.token;
  }
  return true;
}

/** Paths of unmatched requests are logged, but a segment that looks like a token never is. */
function maskTokens(path: string): string {
  return path.length > 512 ? `${path.slice(0, 512)}...` : path.replace(/[A-Za-z0-9_-]{24,}/g, '[token?]');
}
