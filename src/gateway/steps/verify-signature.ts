import type { GatewayContext, StepResult } from '../context.js';
import type { GatewayDeps } from '../gateway-deps.js';
import type { SignedRequest } from '../../verify/types.js';
import { failAuth } from '../fail-auth.js';

/**
 * The provider's scheme over the raw body bytes, with every active secret. Nothing is forwarded
 * before this passes. A mismatch is a value from the verifier; a throwing verifier is a bug, and the
 * request fails closed (500) instead of passing.
 */
export function verifySignature(ctx: GatewayContext, deps: GatewayDeps): StepResult {
  const hook = ctx.state.hook!;
  const request: SignedRequest = {
    body: ctx.state.body!,
    headers: ctx.req.headers,
    url: `${hook.config.path}${ctx.state.search}`,
    // Twilio signs the URL it called, token segment included; the token was checked by matchRoute.
    ...(ctx.state.urlToken !== undefined ? { urlToken: ctx.state.urlToken } : {}),
  };
  const result = hook.scheme.verify(request, hook.settings, deps.nowSeconds());
  if (result.ok) return true;
  return failAuth(ctx, deps, result.reason, { detail: { provider: hook.config.provider } });
}
