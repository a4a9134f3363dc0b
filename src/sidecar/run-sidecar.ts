import http from 'node:http';
import type { Logger } from 'pino';
import type { SidecarConfig } from '../config/types.js';
import type { GatewayDeps, Lifecycle, ManagedTokenBook, Runtime } from '../gateway/gateway-deps.js';
import type { HostPort } from '../net/parse-host-port.js';
import type { StateStore } from '../state/store.js';
import { createGatewayMetrics, initHookSeries } from '../observability/gateway-metrics.js';
import { RejectionLog } from '../observability/rejection-log.js';
import { createGatewayApp } from '../gateway/create-gateway-app.js';
import { createGatewayServer } from '../gateway/create-gateway-server.js';
import { createForwarder } from '../gateway/forwarder.js';
import { createAdminApp } from '../admin/create-admin-app.js';
import { createMemoryStore } from '../state/memory-store.js';
import { createStaticTokenBook } from '../state/static-token-book.js';
import { listen, closeServer } from '../net/listen.js';
import { buildRuntime } from './build-runtime.js';
import { restartOnlyChanges } from './restart-only-changes.js';
import { drain } from './drain.js';
import { startRedisState } from './start-redis-state.js';
import { PresetBook } from '../sources/preset-book.js';
import { createPresetRefresher } from '../sources/preset-refresher.js';

export interface SidecarHandle {
  readonly listen: HostPort;
  readonly admin: HostPort;
  readonly deps: GatewayDeps;
  /**
   * Applies a new validated config atomically: requests already running finish with the version
   * they started with. Returns what could not be applied (keys that need a restart).
   */
  reload(config: SidecarConfig): string[];
  /** Drains: readiness false, new requests 503, in-flight ones finish up to the deadline. */
  shutdown(): Promise<void>;
}

export interface SidecarOptions {
  readonly logger: Logger;
  /** For `{env}` references and relative `{file}` paths of redis.password. */
  readonly env?: NodeJS.ProcessEnv;
  readonly baseDir?: string;
  /** The state store; memory when absent. */
  readonly store?: StateStore;
  /** The URL tokens; the configured tokens (kept as hashes) when absent. */
  readonly tokens?: ManagedTokenBook;
  readonly nowSeconds?: () => number;
  readonly rejectionLog?: { burst?: number; intervalMs?: number };
  /** Called with the metrics once created, before listening (to wire a store's health gauge). */
  readonly onMetrics?: (metrics: GatewayDeps['metrics']) => void;
}

/** Starts the gateway and admin servers for a validated config. */
export async function runSidecar(config: SidecarConfig, options: SidecarOptions): Promise<SidecarHandle> {
  const logger = options.logger;
  const metrics = createGatewayMetrics(config.hooks.map((hook) => hook.name));
  options.onMetrics?.(metrics);
  const shared = !options.store && config.redis ? await startRedisState(config, config.redis, options, metrics) : undefined;
  // Without Redis there is nothing to be down: the gauge reads 1. With Redis the store keeps it current.
  if (!shared) metrics.redisUp.set(1);
  const store = options.store ?? shared?.store ?? createMemoryStore();
  const tokens = options.tokens ?? shared?.tokens ?? createStaticTokenBook(config.hooks);
  let runtime: Runtime = buildRuntime(config, createForwarder(config.upstream, config.timeouts));
  const lifecycle: Lifecycle = { shuttingDown: false, inFlight: 0, bufferedBodyBytes: 0 };
  metrics.readInFlightFrom(() => lifecycle.inFlight);
  const presets = new PresetBook();
  const refresher = config.presetRefresh
    ? createPresetRefresher({
        targets: config.presetRefresh.targets,
        intervalMs: config.presetRefresh.intervalMs,
        book: presets,
        logger,
        refreshes: metrics.presetRefreshes,
        ...(shared ? { share: shared.presets } : {}),
      })
    : undefined;
  void refresher?.refreshNow();
  const rejections = new RejectionLog(logger, { ...options.rejectionLog, onSuppressed: (reason) => metrics.suppressedLogs.inc({ reason }) });
  const deps: GatewayDeps = {
    runtime: () => runtime,
    store,
    tokens,
    metrics,
    logger,
    rejections,
    presets,
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

  function reload(next: SidecarConfig): string[] {
    const current = runtime.config;
    const notes = restartOnlyChanges(current, next);
    // Keys that need a restart keep their running values; everything else takes the new ones.
    const applied: SidecarConfig = { ...next, listen: current.listen, admin: current.admin, ...(current.redis ? { redis: current.redis } : {}) };
    const sameUpstream = applied.upstream.href === current.upstream.href && JSON.stringify(applied.timeouts) === JSON.stringify(current.timeouts);
    const previous = runtime.forwarder;
    const forwarder = sameUpstream ? previous : createForwarder(applied.upstream, applied.timeouts);
    for (const hook of applied.hooks) initHookSeries(metrics, hook.name);
    tokens.update(applied.hooks);
    runtime = buildRuntime(applied, forwarder);
    gateway.headersTimeout = applied.timeouts.headersMs;
    gateway.requestTimeout = applied.timeouts.requestMs;
    gateway.keepAliveTimeout = applied.timeouts.keepAliveMs;
    // The old pool finishes the requests it carries, then closes.
    if (forwarder !== previous) void previous.close();
    return notes;
  }

  let shutdownPromise: Promise<void> | undefined;
  return {
    listen: listenAt,
    admin: adminAt,
    deps,
    reload,
    shutdown: () =>
      (shutdownPromise ??= drain({ gateway, admin, lifecycle, logger, deadlineMs: runtime.config.timeouts.shutdownMs }, async () => {
        rejections.close();
        refresher?.close();
        await runtime.forwarder.close();
        await tokens.close();
        await store.close();
      })),
  };
}
