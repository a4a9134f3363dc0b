import type { GatewayContext } from '../context.js';
import type { GatewayDeps } from '../gateway-deps.js';
import { reject } from '../reject.js';

/**
 * The hook's source allowlist, against the client address that trackRequest derived (X-Forwarded-For
 * believed only through trusted proxies), and the current ranges of the provider presets it names.
 * No allowlist: any source.
 */
export function checkSource(ctx: GatewayContext, deps: GatewayDeps): boolean {
  const { sources, sourcePresets } = ctx.state.hook!.config;
  if (!sources && sourcePresets.length === 0) return true;
  const address = ctx.state.address;
  if (address && (sources?.matches(address) || sourcePresets.some((name) => deps.presets.matcherOf(name)?.matches(address)))) return true;
  reject(ctx, deps, 'source', { detail: { peer: ctx.req.socket.remoteAddress } });
  return false;
}
