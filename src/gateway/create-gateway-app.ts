import Koa from 'koa';
import type { RequestState } from './request-state.js';
import type { GatewayDeps } from './gateway-deps.js';
import { trackRequest } from './middleware/track-request.js';
import { checkMethod } from './middleware/check-method.js';
import { matchRoute } from './middleware/match-route.js';
import { checkSource } from './middleware/check-source.js';
import { checkOrigin } from './middleware/check-origin.js';
import { admit } from './middleware/admit.js';
import { checkHeaders } from './middleware/check-headers.js';
import { checkUserAgent } from './middleware/check-user-agent.js';
import { checkContentType } from './middleware/check-content-type.js';
import { readBody } from './middleware/read-body.js';
import { verifySignature } from './middleware/verify-signature.js';
import { deduplicate } from './middleware/deduplicate.js';
import { forward } from './middleware/forward.js';

/**
 * The webhook pipeline, cheapest rejection first: nothing reads the body before every check that
 * does not need it has passed, and nothing is forwarded before the signature is verified over the
 * raw bytes. This file only wires; each step is its own module.
 */
export function createGatewayApp(deps: GatewayDeps): Koa<RequestState> {
  const app = new Koa<RequestState>({ proxy: false });
  app.silent = true;
  app.use(trackRequest(deps));
  app.use(checkMethod(deps));
  app.use(matchRoute(deps));
  app.use(checkSource(deps));
  app.use(checkOrigin(deps));
  app.use(admit(deps));
  app.use(checkHeaders(deps));
  app.use(checkUserAgent(deps));
  app.use(checkContentType(deps));
  app.use(readBody(deps));
  app.use(verifySignature(deps));
  app.use(deduplicate(deps));
  app.use(forward(deps));
  return app;
}
