import type { GatewayContext } from './context.js';
import type { GatewayDeps } from './gateway-deps.js';
import { observeRequest } from '../observability/gateway-metrics.js';
import { settleClaim } from './delivery-claim.js';
import { HEADER } from './answers.js';
import { trackRequest } from './steps/track-request.js';
import { checkMethod } from './steps/check-method.js';
import { matchRoute } from './steps/match-route.js';
import { checkSource } from './steps/check-source.js';
import { checkOrigin } from './steps/check-origin.js';
import { admit } from './steps/admit.js';
import { checkHeaders } from './steps/check-headers.js';
import { checkUserAgent } from './steps/check-user-agent.js';
import { checkContentType } from './steps/check-content-type.js';
import { readBody } from './steps/read-body.js';
import { verifySignature } from './steps/verify-signature.js';
import { claimReplay } from './steps/claim-replay.js';
import { forward } from './steps/forward.js';

/**
 * The webhook pipeline, cheapest rejection first: nothing reads the body before every check that
 * does not need it has passed, and nothing is forwarded before the signature is verified over the
 * raw bytes. Each step is its own module (steps/); a step answers and returns false to stop.
 *
 * One Koa middleware runs them all in a plain sequence: the synchronous checks (most of them) cost
 * no promise, and only the store, the body and the app are awaited. (It was one Koa middleware per
 * step; the composed chain of 13 async functions cost a promise and a closure per step per request.)
 *
 * Whatever happens after the replay claim was taken, the claim is settled: done only when the app
 * answered 2xx, released otherwise (a refusal, an app error, a bug), so the provider's retry goes
 * through. A bug becomes a plain 500 whose text never reaches the client, never a crash.
 */
export async function handleRequest(ctx: GatewayContext, deps: GatewayDeps): Promise<void> {
  if (!trackRequest(ctx, deps)) {
    ctx.set(HEADER.requestId, ctx.state.requestId);
    return;
  }
  const started = process.hrtime.bigint();
  const lifecycle = deps.lifecycle;
  lifecycle.inFlight++;
  let accepted = false;
  try {
    accepted = await runSteps(ctx, deps);
  } catch (error) {
    deps.logger.error({ event: 'internal_error', err: error, requestId: ctx.state.requestId, hook: ctx.state.hookLabel }, 'request failed inside the gateway');
    ctx.status = 500;
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = 'internal error\n';
  } finally {
    settleClaim(ctx, deps, accepted);
    lifecycle.inFlight--;
    lifecycle.bufferedBodyBytes -= ctx.state.bodyReserved ?? 0;
    // The answers Koa writes (rejections, errors); the app's answer was written with its own
    // (app-answer.ts). Once draining, answers carry Connection: close so that clients stop reusing
    // this replica.
    if (ctx.respond !== false) {
      ctx.set(HEADER.requestId, ctx.state.requestId);
      if (lifecycle.shuttingDown) ctx.set('Connection', 'close');
    }
    observeRequest(deps.metrics, ctx.state.hookLabel, Number(process.hrtime.bigint() - started) / 1e9);
  }
}

/** Resolves to true when the app accepted the delivery (answered 2xx). */
async function runSteps(ctx: GatewayContext, deps: GatewayDeps): Promise<boolean> {
  if (!checkMethod(ctx, deps)) return false;
  let step = matchRoute(ctx, deps);
  if (step !== true && !(await step)) return false;
  if (!checkSource(ctx, deps)) return false;
  step = checkOrigin(ctx, deps);
  if (step !== true && !(await step)) return false;
  if (!(await admit(ctx, deps))) return false;
  if (!checkHeaders(ctx, deps) || !checkUserAgent(ctx, deps) || !checkContentType(ctx, deps)) return false;
  if (!(await readBody(ctx, deps))) return false;
  step = verifySignature(ctx, deps);
  if (step !== true && !(await step)) return false;
  step = claimReplay(ctx, deps);
  if (step !== true && !(await step)) return false;
  return forward(ctx, deps);
}
