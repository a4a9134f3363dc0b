import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { SidecarConfig } from '../config/types.js';
import type { GatewayDeps, Lifecycle, Runtime } from '../gateway/gateway-deps.js';
import type { HostPort } from '../net/parse-host-port.js';
import type { StateStore } from '../state/store.js';
import { createGatewayMetrics } from '../observability/gateway-metrics.js';
import { RejectionLog } from '../observability/rejection-log.js';
import { createGatewayApp } from '../gateway/create-gateway-app.js';
import { createGatewayServer } from '../gateway/create-gateway-server.js';
import { createForwarder } from '../gateway/forwarder.js';
import { createAdminApp } from '../admin/create-admin-app.js';
import { createMemoryStore } from '../state/memory-store.js';
import { createStaticTokenBook } from '../state/static-token-book.js';
import { listen, closeServer } from '../net/listen.js';
import { buildRuntime } from './build-runtime.js';
import http from 'node:http';

export interface SidecarHandle {
  readonly listen: HostPort;
  readonly admin: HostPort;
  readonly deps: GatewayDeps;
  /** Drains: readiness false, new requests 503, in-flight ones finish up to the deadline. */
  shutdown(): Promise<void>;
}

export interface SidecarOptions {
  readonly logger: Logger;
  /** The state store; memory when absent (issue: Redis wiring picks the Redis store). */
  readonly store?: StateStore;
  readonly nowSeconds?: () => number;
  readonly rejectionLog?: { burst?: number; intervalMs?: number };
}

/** Starts the gateway and admin servers for a validated config. */
export async function runSidecar(config: SidecarConfig, options: SidecarOptions): Promise<SidecarHandle> {
  const logger = options.logger;
  const metrics = createGatewayMetrics(config.hooks.map((hook) => hook.name));
  const store = options.store ?? createMemoryStore();
  metrics.redisUp.set(1);
  let runtime: Runtime = buildRuntime(config);
  const lifecycle: Lifecycle = { shuttingDown: false, inFlight: 0 };
  const forwarder = createForwarder(config.upstream, config.timeouts);
  const rejections = new RejectionLog(logger, { ...options.rejectionLog, onSuppressed: (reason) => metrics.suppressedLogs.inc({ reason }) });
  const deps: GatewayDeps = {
    runtime: () => runtime,
    store,
    tokens: createStaticTokenBook(config.hooks),
    metrics,
    logger,
    rejections,
    forwarder,
    lifecycle,
    nowSeconds: options.nowSeconds ?? (() => Math.floor(Date.now() / 1000)),
  };

  const app = createGatewayApp(deps);
  const gateway = createGatewayServer(app.callback(), deps, { timeouts: config.timeouts, maxHeaderBytes: config.maxHeaderBytes });
  const adminApp = createAdminApp({
    registry: metrics.registry,
    readiness: () => {
      if (lifecycle.shuttingDown) return { ready: false, reason: 'shutting down' };
      if (!store.isReady()) return { ready: false, reason: 'state store unreachable (onError: closed)' };
      return { ready: true, reason: `ready: ${runtime.routes.hooks.length} hooks, state ${store.kind}` };
    },
  });
  const admin = http.createServer({ headersTimeout: 5_000, requestTimeout: 10_000 }, adminApp.callback());

  const listenAt = await listen(gateway, config.listen);
  let adminAt: HostPort;
  try {
    adminAt = await listen(admin, config.admin);
  } catch (error) {
    await closeServer(gateway);
    throw error;
  }
  logger.info(
    { event: 'started', listen: `${listenAt.host}:${listenAt.port}`, admin: `${adminAt.host}:${adminAt.port}`, upstream: config.upstream.origin, hooks: config.hooks.map((h) => h.name), state: store.kind },
    'hookguard sidecar listening',
  );

  let shutdownPromise: Promise<void> | undefined;
  return {
    listen: listenAt,
    admin: adminAt,
    deps,
    shutdown: () => (shutdownPromise ??= drain(gateway, admin, deps, runtime.config.timeouts.shutdownMs, async () => {
      rejections.close();
      await forwarder.close();
      await store.close();
    })),
  };
}

async function drain(gateway: Server, admin: Server, deps: GatewayDeps, deadlineMs: number, release: () => Promise<void>): Promise<void> {
  const { lifecycle, logger } = deps;
  lifecycle.shuttingDown = true;
  logger.info({ event: 'draining', inFlight: lifecycle.inFlight }, 'shutting down: draining in-flight requests');
  const closed = closeServer(gateway);
  gateway.closeIdleConnections();
  const deadline = Date.now() + deadlineMs;
  while (lifecycle.inFlight > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    // A keep-alive connection that went idle after its last answer is closed now.
    gateway.closeIdleConnections();
  }
  if (lifecycle.inFlight > 0) logger.warn({ event: 'drain_deadline', inFlight: lifecycle.inFlight }, 'shutdown deadline reached with requests in flight');
  gateway.closeAllConnections();
  await closed;
  await release();
  admin.closeAllConnections();
  await closeServer(admin);
  logger.info({ event: 'stopped' }, 'hookguard sidecar stopped');
}
