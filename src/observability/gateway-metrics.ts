import { Counter, Gauge, Registry, collectDefaultMetrics } from 'prom-client';
import { METRIC, OUTCOMES, REASONS, UNMATCHED_HOOK, type Outcome, type Reason } from './metric-names.js';
import { HotCounter, HotHistogram, type CounterCell, type HistogramCell } from './hot-metrics.js';

export interface GatewayMetrics {
  readonly registry: Registry;
  /** The request path's series (hot-metrics.ts): counted through `seriesOf`, never by label objects. */
  readonly requests: HotCounter;
  readonly rejections: HotCounter;
  readonly requestDuration: HotHistogram;
  readonly upstreamDuration: HotHistogram;
  readonly redisUp: Gauge;
  readonly tokenRotations: Counter<'hook'>;
  readonly configReloads: Counter<'result'>;
  /** Read at scrape time from the source given to `readInFlightFrom` (the request path only counts). */
  readonly inFlight: Gauge;
  readInFlightFrom(read: () => number): void;
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
  const requests = new HotCounter(METRIC.requests, 'Webhook requests by hook and outcome (accepted, rejected, duplicate, upstream_error).', ['hook', 'outcome'], registry);
  const rejections = new HotCounter(METRIC.rejections, 'Rejected webhook requests by hook and reason.', ['hook', 'reason'], registry);
  const requestDuration = new HotHistogram(METRIC.requestDuration, 'Time from the first byte of a request to the end of its answer, in seconds.', ['hook'], DURATION_BUCKETS, registry);
  const upstreamDuration = new HotHistogram(
    METRIC.upstreamDuration,
    "Time the app took to answer a forwarded delivery, by the app's status class, in seconds.",
    ['hook', 'status_class'],
    DURATION_BUCKETS,
    registry,
  );
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
  let readInFlight: () => number = () => 0;
  const inFlight = new Gauge({
    name: METRIC.inFlight,
    help: 'Webhook requests being handled right now.',
    registers: [registry],
    collect() {
      this.set(readInFlight());
    },
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
  const readInFlightFrom = (read: () => number): void => {
    readInFlight = read;
  };
  const metrics = { readInFlightFrom, presetRefreshes, suspicious, registry, requests, rejections, requestDuration, upstreamDuration, redisUp, tokenRotations, configReloads, inFlight, suppressedLogs };
  for (const hook of [...hooks, UNMATCHED_HOOK]) initHookSeries(metrics, hook);
  for (const result of ['applied', 'refused']) configReloads.inc({ result }, 0);
  return metrics;
}

/** Creates a hook's series at zero (at start, and for hooks a reload adds). */
export function initHookSeries(metrics: GatewayMetrics, hook: string): void {
  seriesOf(metrics, hook);
  metrics.tokenRotations.inc({ hook }, 0);
}

/**
 * The cells of one hook, made once: counting on the request path is then a field increment
 * (hot-metrics.ts says why).
 */
interface HookSeries {
  readonly outcomes: Readonly<Record<Outcome, CounterCell>>;
  readonly reasons: Readonly<Record<Reason, CounterCell>>;
  readonly duration: HistogramCell;
  readonly upstream: Map<string, HistogramCell>;
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
    const outcomes = {} as Record<Outcome, CounterCell>;
    for (const outcome of OUTCOMES) outcomes[outcome] = metrics.requests.cell({ hook, outcome });
    const reasons = {} as Record<Reason, CounterCell>;
    for (const reason of REASONS) reasons[reason] = metrics.rejections.cell({ hook, reason });
    series = { outcomes, reasons, duration: metrics.requestDuration.cell({ hook }), upstream: new Map() };
    byHook.set(hook, series);
  }
  return series;
}

export function countRejection(metrics: GatewayMetrics, hook: string, reason: Reason): void {
  const series = seriesOf(metrics, hook);
  series.reasons[reason].inc();
  series.outcomes.rejected.inc();
}

export function countOutcome(metrics: GatewayMetrics, hook: string, outcome: Exclude<Outcome, 'rejected'>): void {
  seriesOf(metrics, hook).outcomes[outcome].inc();
}

export function observeRequest(metrics: GatewayMetrics, hook: string, seconds: number): void {
  seriesOf(metrics, hook).duration.observe(seconds);
}

export function observeUpstream(metrics: GatewayMetrics, hook: string, statusClass: string, seconds: number): void {
  const upstream = seriesOf(metrics, hook).upstream;
  let cell = upstream.get(statusClass);
  if (!cell) {
    cell = metrics.upstreamDuration.cell({ hook, status_class: statusClass });
    upstream.set(statusClass, cell);
  }
  cell.observe(seconds);
}
