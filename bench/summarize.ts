import type { ScenarioName } from './bench-options.js';
import type { Curve, Shape } from './plan.js';
import { median, medianFigures, type Figures, type Measurement, type Status } from './figures.js';

export type Summary = Figures & { status: Status; rounds: number; note?: string };

/** One scenario's rounds → medians; the status says whether any round ran. */
export function summarizeRounds(rounds: readonly Measurement[]): Summary {
  const ok = rounds.filter((m) => m.status === 'ok' && m.figures);
  const figures = medianFigures(ok.map((m) => m.figures!));
  const failed = rounds.find((m) => m.status === 'failed');
  const status: Status = failed ? 'failed' : ok.length > 0 ? 'ok' : 'unavailable';
  const note = failed?.note ?? (ok.length === 0 ? rounds.find((m) => m.note)?.note : undefined);
  return { ...figures, status, rounds: ok.length, ...(note ? { note } : {}) };
}

/** Medians of the detail figures (the rest of the machine's bill). */
export function summarizeDetail(rounds: readonly Measurement[]): Record<string, unknown> {
  const ok = rounds.filter((m) => m.status === 'ok' && m.detail).map((m) => m.detail!);
  const pick = (key: 'app_cpu_us_per_req' | 'loader_cpu_us_per_req' | 'redis_cpu_us_per_req' | 'foreign_cpu_cores' | 'body_bytes_per_s' | 'requests') =>
    median(ok.map((d) => d[key]).filter((v): v is number => typeof v === 'number' && Number.isFinite(v)));
  const total = (records: ReadonlyArray<Record<string, number> | undefined>): Record<string, number> | undefined => {
    if (records.every((r) => r === undefined)) return undefined;
    const sum: Record<string, number> = {};
    for (const record of records) for (const [k, v] of Object.entries(record ?? {})) sum[k] = (sum[k] ?? 0) + v;
    return sum;
  };
  const outcomes = total(ok.map((d) => d.outcomes));
  const commands = total(ok.map((d) => d.redis_commands));
  const probes = ok.map((d) => d.redis_probe).filter((p) => p !== undefined);
  return {
    tool: ok[0]?.tool,
    requests: pick('requests'),
    app_cpu_us_per_req: pick('app_cpu_us_per_req'),
    loader_cpu_us_per_req: pick('loader_cpu_us_per_req'),
    redis_cpu_us_per_req: pick('redis_cpu_us_per_req'),
    foreign_cpu_cores: pick('foreign_cpu_cores'),
    body_bytes_per_s: pick('body_bytes_per_s'),
    // Summed over the rounds, next to the requests they answered, so the two can be compared.
    requests_total: ok.reduce((n, d) => n + d.requests, 0),
    ...(outcomes ? { outcomes_total: outcomes } : {}),
    ...(commands ? { redis_commands_total: commands } : {}),
    ...(probes.length > 0 ? { redis_probe_total: { requests: probes.reduce((n, p) => n + p.requests, 0), roundTrips: probes.reduce((n, p) => n + p.roundTrips, 0), scriptCommands: probes.reduce((n, p) => n + p.scriptCommands, 0), byCommand: total(probes.map((p) => p.byCommand)) } } : {}),
  };
}

export const RATIO_FIGURES = ['rps', 'cpu_us_per_req', 'p99_ms', 'peak_rss_mb'] as const;
export type RatioFigure = (typeof RATIO_FIGURES)[number];
export type Ratios = Partial<Record<RatioFigure, number | null>>;

/**
 * Paired ratios: each round's X ÷ that same round's reference, then the median over rounds. Pairs
 * taken within a round share the machine's state at that moment, which is what keeps the ratios
 * steady on a noisy machine while absolute figures drift.
 */
export function pairedRatios(subject: readonly Measurement[], reference: readonly Measurement[]): Ratios {
  const ratios: Ratios = {};
  for (const key of RATIO_FIGURES) {
    const values: number[] = [];
    for (let round = 0; round < Math.min(subject.length, reference.length); round++) {
      const a = subject[round];
      const b = reference[round];
      if (a?.status !== 'ok' || b?.status !== 'ok') continue;
      const x = a.figures?.[key];
      const y = b.figures?.[key];
      if (typeof x === 'number' && typeof y === 'number' && y > 0) values.push(x / y);
    }
    ratios[key] = median(values);
  }
  return ratios;
}

export const REFERENCES: readonly ScenarioName[] = ['node-proxy', 'nginx', 'direct'];

export function allRatios(byScenario: ReadonlyMap<ScenarioName, Measurement[]>): Record<string, Record<string, Ratios>> {
  const out: Record<string, Record<string, Ratios>> = {};
  for (const [name, rounds] of byScenario) {
    if (name === 'direct') continue;
    for (const reference of REFERENCES) {
      if (reference === name) continue;
      const other = byScenario.get(reference);
      if (!other) continue;
      const ratios = pairedRatios(rounds, other);
      if (Object.values(ratios).every((v) => v === null)) continue;
      (out[name] ??= {})[reference] = ratios;
    }
  }
  return out;
}

export interface ScaleEntry extends Summary {
  curve: Curve;
  scenario: string;
  hooks: number;
  tokens: number;
  body_bytes: number;
  connections: number;
  body_mb_per_s: number | null;
  detail: Record<string, unknown>;
}

export interface TargetCheck {
  figure: string;
  target: string;
  value: number | null;
  met: boolean | null;
  basis: string;
}

/**
 * Scripts (EVALSHA + EVAL) the clients sent per delivery hookguard accepted, over the measured
 * windows of one scenario (INFO commandstats, summed by summarizeDetail). hookguard's store sends
 * nothing but scripts on the accepted path, so this is its client round trips per delivery under
 * the window's own load, where deliveries that arrive together share a script; the MONITOR probe
 * counts them one at a time at a low rate. Null without Redis commands or accepted deliveries.
 */
export function scriptsPerAcceptedDelivery(detail: Record<string, unknown> | undefined): number | null {
  const commands = detail?.['redis_commands_total'] as Record<string, number> | undefined;
  const accepted = (detail?.['outcomes_total'] as Record<string, number> | undefined)?.['accepted'];
  if (!commands || !accepted) return null;
  return ((commands['evalsha'] ?? 0) + (commands['eval'] ?? 0)) / accepted;
}

export interface TargetInputs {
  readonly ratios: Record<Shape, Record<string, Record<string, Ratios>>>;
  readonly summaries: Record<Shape, Record<string, Summary>>;
  /** summarizeDetail of every scenario, per shape. */
  readonly details: Record<Shape, Record<string, Record<string, unknown>>>;
  readonly scaleRatio: (a: string, b: string, figure: 'cpu_us_per_req' | 'rps') => number | null;
  /** hookguard-redis, or hookguard-memory standing in while the Redis store is missing. */
  readonly subject: string;
}

/** The targets, against this run. A target whose inputs did not run is `met: null`. */
export function checkTargets(inputs: TargetInputs): TargetCheck[] {
  const { ratios, summaries, subject } = inputs;
  const stand = subject === 'hookguard-redis' ? '' : ` (${subject} standing in: no Redis store)`;
  const check = (figure: string, target: string, value: number | null | undefined, ok: (v: number) => boolean, basis: string): TargetCheck => ({
    figure,
    target,
    value: value ?? null,
    met: value === null || value === undefined ? null : ok(value),
    basis: basis + stand,
  });
  const hooksTokens = inputs.scaleRatio('hookguard:h1000:t10000:b1024:c32', 'hookguard:h1:t1:b1024:c32', 'cpu_us_per_req');
  const bodies = inputs.scaleRatio('hookguard:h1:t1:b1048576:c32', 'node-proxy:h1:t1:b1048576:c32', 'rps');
  return [
    check('saturation throughput ÷ node-proxy', '>= 1.0', ratios.saturation[subject]?.['node-proxy']?.rps, (v) => v >= 1, 'saturation, paired rps ratio'),
    check('CPU per request ÷ nginx', '<= 4', ratios.saturation[subject]?.nginx?.cpu_us_per_req, (v) => v <= 4, 'saturation, paired CPU µs/req ratio'),
    check('p99 at 1,000 rps ÷ nginx', '<= 1.5', ratios.fixed[subject]?.nginx?.p99_ms, (v) => v <= 1.5, 'fixed rate, paired p99 ratio'),
    check(
      'Redis round trips per accepted delivery',
      '<= 1 (none for the token check)',
      summaries.fixed['hookguard-redis']?.redis_roundtrips_per_req ?? summaries.saturation['hookguard-redis']?.redis_roundtrips_per_req,
      (v) => v <= 1,
      'MONITOR probe, client commands per request',
    ),
    check(
      'Redis scripts per accepted delivery, measured windows',
      '<= 1',
      worst(scriptsPerAcceptedDelivery(inputs.details.saturation['hookguard-redis']), scriptsPerAcceptedDelivery(inputs.details.fixed['hookguard-redis'])),
      (v) => v <= 1,
      'INFO commandstats, EVALSHA + EVAL ÷ accepted deliveries, the higher of saturation and fixed rate',
    ),
    check('peak RSS at 1,000 rps (MB)', '<= 80', summaries.fixed[subject]?.peak_rss_mb, (v) => v <= 80, 'fixed rate, VmHWM'),
    check('CPU/req, 1,000 hooks + 10,000 tokens ÷ 1 + 1', '<= 1.1', hooksTokens, (v) => v <= 1.1, 'scale, paired CPU µs/req ratio'),
    check('1 MiB bodies, bytes/s ÷ node-proxy', '>= 0.8', bodies, (v) => v >= 0.8, 'scale, paired rps ratio at equal body size'),
  ];
}

/** The higher of the values present; null when none is. */
function worst(...values: ReadonlyArray<number | null>): number | null {
  const present = values.filter((value): value is number => value !== null);
  return present.length === 0 ? null : Math.max(...present);
}
