import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { METRIC, OUTCOMES, REASONS, UNMATCHED_HOOK, type Outcome, type Reason } from './metric-names.js';

export interface GatewayMetrics {
  readonly registry: Registry;
  readonly requests: Counter<'hook' | 'outcome'>;
  readonly rejections: Counter<'hook' | 'reason'>;
  readonly requestDuration: Histogram<'hook'>;
  readonly upstreamDuration: Histogram<'hook' | 'status_class'>;
  readonly redisUp: Gauge;
  readonly tokenRotations: Counter<'hook'>;
  readonly configReloads: Counter<'result'>;
  readonly inFlight: Gauge;
  readonly suppressedLogs: Counter<'reason'>;
  readonly suspicious: Counter<'hook' | 'reason'>;
  readonly presetRefreshes: Counter<'provider' | 'result'>;
}

// Webhook handling is dominated by the app's own time; buckets reach the providers' 10-30 s timeouts.
const DURATION_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

/**
 * One registry per gateway instance (tests run several in one process). Series for every known
 * hook x outcome/reason are created at zero, so rate() and absent() work from the first scrape.
 */
export function createGatewayMetrics(hooks: readonly string[], options: { defaultMetrics?: boolean } = {}): GatewayMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const requests = new Counter({
    name: METRIC.requests,
    help: 'Webhook requests by hook and outcome (accepted, rejected, duplicate, upstream_error).',
    labelNames: ['hook', 'outcome'] as const,
    registers: [registry],
  });
  const rejections = new Counter({
    name: METRIC.rejections,
    help: 'Rejected webhook requests by hook and reason.',
    labelNames: ['hook', 'reason'] as const,
    registers: [registry],
  });
  const requestDuration = new Histogram({
    name: METRIC.requestDuration,
    help: 'Time from the first byte of a request to the end of its answer, in seconds.',
    labelNames: ['hook'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const upstreamDuration = new Histogram({
    name: METRIC.upstreamDuration,
    help: "Time the app took to answer a forwarded delivery, by the app's status class, in seconds.",
    labelNames: ['hook', 'status_class'] as const,
    buckets: DURATION_BUCKETS,
    registers: [registry],
  });
  const redisUp = new Gauge({
    name: METRIC.redisUp,
    help: '1 when the shared state store (Redis) is reachable, 0 when not; absent state (memory) reads 1.',
    registers: [registry],
  });
  const tokenRotations = new Counter({
    name: METRIC.tokenRotations,
    help: 'URL token rotations and revocations seen by this replica, by hook.',
    labelNames: ['hook'] as const,
    registers: [registry],
  });
  const configReloads = new Counter({
    name: METRIC.configReloads,
    help: 'Config and secret reloads by result (applied, refused).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  const inFlight = new Gauge({
    name: METRIC.inFlight,
    help: 'Webhook requests being handled right now.',
    registers: [registry],
  });
  const suppressedLogs = new Counter({
    name: METRIC.suppressedLogs,
    help: 'Rejection log lines folded into periodic summaries to bound log volume under floods.',
    labelNames: ['reason'] as const,
    registers: [registry],
  });
  const suspicious = new Counter({
    name: METRIC.suspicious,
    help: 'Requests let through but worth a look (for example an unexpected User-Agent), by hook and reason.',
    labelNames: ['hook', 'reason'] as const,
    registers: [registry],
  });
  const presetRefreshes = new Counter({
    name: METRIC.presetRefreshes,
    help: 'Fetches of provider address ranges by provider and result (updated, unchanged, failed, invalid).',
    labelNames: ['provider', 'result'] as const,
    registers: [registry],
  });
  const metrics = { presetRefreshes, suspicious, registry, requests, rejections, requestDuration, upstreamDuration, redisUp, tokenRotations, configReloads, inFlight, suppressedLogs };
  for (const hook of [...hooks, UNMATCHED_HOOK]) initHookSeries(metrics, hook);
  for (const result of ['applied', 'refused']) configReloads.inc({ result }, 0);
  return metrics;
}

/** Creates a hook's series at zero (at start, and for hooks a reload adds). */
export function initHookSeries(metrics: GatewayMetrics, hook: string): void {
  for (const outcome of OUTCOMES) metrics.requests.inc({ hook, outcome }, 0);
  for (const reason of REASONS) metrics.rejections.inc({ hook, reason }, 0);
  metrics.requestDuration.zero({ hook });
  metrics.tokenRotations.inc({ hook }, 0);
}

interface Child {
  inc(value?: number): void;
}
interface ObserverChild {
  observe(value: number): void;
}

/**
 * The label children of one hook, bound once: prom-client hashes a labels object on every call,
 * which the request path would otherwise pay several times per request.
 */
interface HookSeries {
  readonly outcomes: Map<string, Child>;
  readonly reasons: Map<string, Child>;
  readonly duration: ObserverChild;
  readonly upstream: Map<string, ObserverChild>;
}

const bound = new WeakMap<GatewayMetrics, Map<string, HookSeries>>();

function seriesOf(metrics: GatewayMetrics, hook: string): HookSeries {
  let byHook = bound.get(metrics);
  if (!byHook) {
    byHook = new Map();
    bound.set(metrics, byHook);
  }
  let series = byHook.get(hook);
  if (!series) {
    series = { outcomes: new Map(), reasons: new Map(), duration: metrics.requestDuration.labels(hook), upstream: new Map() };
    byHook.set(hook, series);
  }
  return series;
}

function child<T>(cache: Map<string, T>, key: string, make: () => T): T {
  let found = cache.get(key);
  if (!found) {
    found = make();
    cache.set(key, found);
  }
  return found;
}

export function countRejection(metrics: GatewayMetrics, hook: string, reason: Reason): void {
  const series = seriesOf(metrics, hook);
  child(series.reasons, reason, () => metrics.rejections.labels(hook, reason)).inc();
  child(series.outcomes, 'rejected', () => metrics.requests.labels(hook, 'rejected')).inc();
}

export function countOutcome(metrics: GatewayMetrics, hook: string, outcome: Exclude<Outcome, 'rejected'>): void {
  child(seriesOf(metrics, hook).outcomes, outcome, () => metrics.requests.labels(hook, outcome)).inc();
}

export function observeRequest(metrics: GatewayMetrics, hook: string, seconds: number): void {
  seriesOf(metrics, hook).duration.observe(seconds);
}

export function observeUpstream(metrics: GatewayMetrics, hook: string, statusClass: string, seconds: number): void {
  child(seriesOf(metrics, hook).upstream, statusClass, () => metrics.upstreamDuration.labels(hook, statusClass)).observe(seconds);
}
