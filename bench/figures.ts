/** The figures of one scenario in one shape, as the issue names them (medians over rounds). */
export interface Figures {
  rps: number | null;
  p50_ms: number | null;
  p99_ms: number | null;
  p999_ms: number | null;
  /** The proxy's user + system CPU (all processes, all threads) ÷ answered requests; null for `direct`. */
  cpu_us_per_req: number | null;
  /** VmHWM of the proxy (sum over nginx's processes), from process start; null for `direct`. */
  peak_rss_mb: number | null;
  /** Every command Redis executed (scripts' inner calls included) ÷ requests; null without Redis. */
  redis_cmds_per_req: number | null;
  /** Commands clients sent (MULTI blocks once) ÷ requests, from a MONITOR probe; null without Redis. */
  redis_roundtrips_per_req: number | null;
}

/** What else one measurement saw: the rest of the machine's bill and the sanity checks. */
export interface Detail {
  tool: string;
  requests: number;
  non2xx: number;
  errors: number;
  /** Request body bytes delivered per second (rps × body size). */
  body_bytes_per_s: number | null;
  app_cpu_us_per_req: number | null;
  loader_cpu_us_per_req: number | null;
  redis_cpu_us_per_req: number | null;
  /** Cores' worth of CPU that other processes on the machine used during the window (noise). */
  foreign_cpu_cores: number;
  /** hookguard's own count of outcomes during the window (accepted, duplicate, rejected, ...). */
  outcomes?: Record<string, number>;
  redis_commands?: Record<string, number>;
  redis_probe?: { requests: number; roundTrips: number; scriptCommands: number; byCommand: Record<string, number> };
}

export type Status = 'ok' | 'failed' | 'unavailable';

export interface Measurement {
  readonly status: Status;
  /** Why it failed or is unavailable. */
  readonly note?: string;
  readonly figures?: Figures;
  readonly detail?: Detail;
}

export const FIGURE_KEYS = ['rps', 'p50_ms', 'p99_ms', 'p999_ms', 'cpu_us_per_req', 'peak_rss_mb', 'redis_cmds_per_req', 'redis_roundtrips_per_req'] as const;

export function median(values: readonly number[]): number | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

/** Each figure's median over the rounds that ran; null when no round had it. */
export function medianFigures(rounds: readonly Figures[]): Figures {
  const result = {} as Figures;
  for (const key of FIGURE_KEYS) {
    const values = rounds.map((figures) => figures[key]).filter((value): value is number => value !== null && Number.isFinite(value));
    result[key] = median(values);
  }
  return result;
}
