import type { GatewayContext } from '../context.js';
import type { GatewayDeps } from '../gateway-deps.js';
import { countOutcome, observeUpstream } from '../../observability/gateway-metrics.js';
import { buildUpstreamHeaders } from '../upstream-headers.js';
import { writeAppAnswer } from '../app-answer.js';

const STATUS_CLASSES = ['0xx', '1xx', '2xx', '3xx', '4xx', '5xx'];

/**
 * Forwards the verified delivery: exact body bytes, the URL token gone from the path, hop-by-hop
 * headers dropped, X-Forwarded-* and Hookguard-Verified added. The app's status, headers and body
 * come back as they were (app-answer.ts); the sidecar answers 2xx only when the app did. Resolves
 * to whether the app accepted the delivery (answered 2xx).
 */
export async function forward(ctx: GatewayContext, deps: GatewayDeps): Promise<boolean> {
  const hook = ctx.state.hook!;
  const headers = buildUpstreamHeaders(ctx.req, {
    source: ctx.state.source,
    peer: ctx.state.peer,
    trustedPeer: ctx.state.runtime.config.trustedProxies,
    provider: hook.config.provider,
    requestId: ctx.state.requestId,
  });
  const result = await ctx.state.runtime.forwarder.forward({ path: `${hook.upstreamPath}${ctx.state.search}`, headers, body: ctx.state.body! });
  if (!result.ok) {
    const status = result.failure === 'timeout' ? 504 : 502;
    ctx.status = status;
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = status === 504 ? 'upstream timed out\n' : 'upstream unreachable\n';
    countOutcome(deps.metrics, hook.name, 'upstream_error');
    observeUpstream(deps.metrics, hook.name, 'error', result.seconds);
    deps.logger.error({ event: 'upstream_error', hook: hook.name, failure: result.failure, code: result.code, status, requestId: ctx.state.requestId }, `upstream ${result.failure}`);
    return false;
  }
  ctx.state.forwarded = true;
  writeAppAnswer(ctx, result, { requestId: ctx.state.requestId, close: deps.lifecycle.shuttingDown });
  countOutcome(deps.metrics, hook.name, 'accepted');
  observeUpstream(deps.metrics, hook.name, STATUS_CLASSES[Math.floor(result.status / 100)] ?? 'other', result.seconds);
  return result.status >= 200 && result.status < 300;
}
