import Koa from 'koa';
import type { RequestState } from './request-state.js';
import type { GatewayDeps } from './gateway-deps.js';
import { handleRequest } from './handle-request.js';

/** The gateway's Koa app: one middleware that runs the pipeline (handle-request.ts). */
export function createGatewayApp(deps: GatewayDeps): Koa<RequestState> {
  const app = new Koa<RequestState>({ proxy: false });
  app.silent = true;
  app.use((ctx) => handleRequest(ctx, deps));
  return app;
}
