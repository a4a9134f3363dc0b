import type { GatewayContext } from '../context.js';
import type { GatewayDeps } from '../gateway-deps.js';
import { reject } from '../reject.js';

/**
 * The provider's usual User-Agent. Anyone can copy it, so it only ever adds suspicion: a mismatch
 * is logged (volume-bounded) and counted, and refused with 400 only where a hook says `reject`.
 */
export function checkUserAgent(ctx: GatewayContext, deps: GatewayDeps): boolean {
  const expected = ctx.state.hook!.config.userAgent;
  if (!expected) return true;
  const agent = ctx.req.headers['user-agent'] ?? '';
  if (expected.pattern.test(agent)) return true;
  if (expected.reject) {
    reject(ctx, deps, 'header', { detail: { header: 'User-Agent', problem: 'unexpected', userAgent: agent.slice(0, 200) } });
    return false;
  }
  deps.metrics.suspicious.inc({ hook: ctx.state.hookLabel, reason: 'user_agent' });
  deps.rejections.write({ kind: 'suspicious', reason: 'user_agent', hook: ctx.state.hookLabel, source: ctx.state.source, status: 0, requestId: ctx.state.requestId, userAgent: agent.slice(0, 200) });
  return true;
}
