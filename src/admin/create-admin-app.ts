import Koa from 'koa';
import Router from '@koa/router';
import type { Registry } from 'prom-client';

export interface AdminDeps {
  readonly registry: Registry;
  /** Readiness with a reason for the body: config loaded, state store usable, not draining. */
  readonly readiness: () => { ready: boolean; reason: string };
}

/** The admin port: /metrics, /healthz, /readyz. Never exposed through the Service. */
export function createAdminApp(deps: AdminDeps): Koa {
  const app = new Koa();
  app.silent = true;
  const router = new Router();
  router.get('/metrics', async (ctx) => {
    ctx.type = deps.registry.contentType;
    ctx.body = await deps.registry.metrics();
  });
  router.get('/healthz', (ctx) => {
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = 'ok\n';
  });
  router.get('/readyz', (ctx) => {
    const { ready, reason } = deps.readiness();
    ctx.status = ready ? 200 : 503;
    ctx.type = 'text/plain; charset=utf-8';
    ctx.body = `${reason}\n`;
  });
  app.use(router.routes());
  app.use(router.allowedMethods());
  return app;
}
