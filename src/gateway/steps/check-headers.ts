import type { GatewayContext } from '../context.js';
import type { GatewayDeps } from '../gateway-deps.js';
import { reject } from '../reject.js';

/** The hook's required headers: present once, value matching the configured pattern. */
export function checkHeaders(ctx: GatewayContext, deps: GatewayDeps): boolean {
  const rules = ctx.state.hook!.config.headers;
  for (const rule of rules) {
    const value = ctx.req.headers[rule.name];
    if (typeof value !== 'string' || !rule.pattern.test(value)) {
      reject(ctx, deps, 'header', { detail: { header: rule.displayName, problem: value === undefined ? 'missing' : 'mismatch' } });
      return false;
    }
  }
  return true;
}
