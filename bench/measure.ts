import { performance } from 'node:perf_hooks';
import type { RedisServer } from './targets/start-redis.js';
import type { LoadResult, LoadSpec } from './load/load-spec.js';
import type { Detail, Figures, Measurement } from './figures.js';
import { Unavailable, type Target } from './targets/target.js';
import { runLoad, type SaturationTool } from './load/run-load.js';
import { cpuMicros, machineBusyMicros, peakRssMb } from './proc-stats.js';
import { commandCalls, commandsBetween, probeRoundTrips } from './redis-stats.js';
import { hookguardOutcomes, outcomesBetween } from './hookguard-outcomes.js';

/** More than this share of requests unanswered or answered non-2xx: the scenario failed to run. */
const MAX_BAD_SHARE = 0.01;
/** Load of the MONITOR probe that counts Redis round trips. */
const PROBE_RATE = 200;

export interface MeasureRequest {
  readonly label: string;
  /** Starts a fresh target (a fresh process: peak memory is that of this measurement only). */
  readonly start: () => Promise<Target>;
  /** The load, without where it goes and how long. */
  readonly load: Omit<LoadSpec, 'host' | 'port' | 'durationSeconds' | 'deliveryPrefix'>;
  readonly bodyBytes: number;
  readonly warmupSeconds: number;
  readonly seconds: number;
  readonly probeSeconds: number;
  readonly tool: SaturationTool;
  readonly workDir: string;
  readonly appPid: number;
  /** Set when the target talks to this Redis: commands are counted and round trips probed. */
  readonly redis?: RedisServer;
  /** The proxy is no proxy (`direct`): no proxy CPU or memory to report. */
  readonly direct?: boolean;
}

let runs = 0;
const RUN_ID = `${process.pid.toString(36)}${Date.now().toString(36)}`;

/**
 * One measurement: fresh target, warm-up load (JIT, connection pools), then the measured window
 * with CPU, Redis and hookguard counters read right before and right after it, then, for Redis
 * scenarios, a low-rate MONITOR probe for round trips. The target is stopped in every case.
 */
export async function measure(request: MeasureRequest): Promise<Measurement> {
  let target: Target;
  try {
    target = await request.start();
  } catch (error) {
    if (error instanceof Unavailable) return { status: 'unavailable', note: error.message };
    return { status: 'failed', note: `start: ${(error as Error).message}` };
  }
  try {
    const spec = (seconds: number, extra: Partial<LoadSpec> = {}): LoadSpec => ({
      ...request.load,
      host: '127.0.0.1',
      port: target.port,
      durationSeconds: seconds,
      deliveryPrefix: `${RUN_ID}-${++runs}-`,
      ...extra,
    });
    if (request.warmupSeconds > 0) await runLoad(spec(request.warmupSeconds), request.tool, request.workDir);

    const pids = target.pids();
    // Requests still inside the proxy when the load generator stopped are finished first, so that
    // neither the warm-up's tail nor this window's spills into the next count.
    await settle(pids);
    const redisPid = request.redis?.process.pid;
    const machineBefore = machineBusyMicros();
    const startedAt = performance.now();
    const runnerBefore = process.cpuUsage();
    const cpuBefore = sum(pids.map(cpuMicros));
    const appBefore = cpuMicros(request.appPid);
    const redisCpuBefore = redisPid ? cpuMicros(redisPid) : 0;
    const redisBefore = request.redis ? await commandCalls(request.redis.client) : undefined;
    const outcomesBefore = target.adminOrigin ? await hookguardOutcomes(target.adminOrigin) : undefined;

    const load = await runLoad(spec(request.seconds), request.tool, request.workDir);
    await settle(pids);

    const cpuAfter = sum(pids.map(cpuMicros));
    const appAfter = cpuMicros(request.appPid);
    const redisCpuAfter = redisPid ? cpuMicros(redisPid) : 0;
    const machineAfter = machineBusyMicros();
    const elapsedMicros = (performance.now() - startedAt) * 1000;
    // CPU the machine spent on anything but this measurement's processes: other work sharing the cores.
    const runner = process.cpuUsage(runnerBefore);
    const ours = cpuAfter - cpuBefore + (appAfter - appBefore) + (redisCpuAfter - redisCpuBefore) + load.loaderCpuMicros + runner.user + runner.system;
    const foreignCores = Math.max(0, machineAfter - machineBefore - ours) / elapsedMicros;
    const redisAfter = request.redis ? await commandCalls(request.redis.client) : undefined;
    const outcomes = target.adminOrigin && outcomesBefore ? outcomesBetween(outcomesBefore, await hookguardOutcomes(target.adminOrigin)) : undefined;
    const peak = request.direct ? null : sum(pids.map(peakRssMb));

    let roundTrips: number | null = null;
    let probe: Detail['redis_probe'];
    if (request.redis && request.probeSeconds > 0) {
      let probeLoad: LoadResult | undefined;
      const counted = await probeRoundTrips(request.redis.port, async () => {
        probeLoad = await runLoad(spec(request.probeSeconds, { rate: PROBE_RATE, connections: 4 }), request.tool, request.workDir);
      });
      probe = { requests: probeLoad?.requests ?? 0, ...counted };
      roundTrips = probe.requests > 0 ? counted.roundTrips / probe.requests : null;
    }

    const answered = load.requests;
    const redisCommands = redisBefore && redisAfter ? commandsBetween(redisBefore, redisAfter) : undefined;
    const figures: Figures = {
      rps: load.rps,
      p50_ms: load.p50_ms,
      p99_ms: load.p99_ms,
      p999_ms: load.p999_ms,
      cpu_us_per_req: request.direct || answered === 0 ? null : (cpuAfter - cpuBefore) / answered,
      peak_rss_mb: peak,
      redis_cmds_per_req: redisCommands && answered > 0 ? redisCommands.total / answered : null,
      redis_roundtrips_per_req: roundTrips,
    };
    const detail: Detail = {
      tool: load.tool,
      requests: answered,
      non2xx: load.non2xx,
      errors: load.errors,
      body_bytes_per_s: load.rps * request.bodyBytes,
      app_cpu_us_per_req: answered > 0 ? (appAfter - appBefore) / answered : null,
      loader_cpu_us_per_req: answered > 0 ? load.loaderCpuMicros / answered : null,
      redis_cpu_us_per_req: redisPid && answered > 0 ? (redisCpuAfter - redisCpuBefore) / answered : null,
      foreign_cpu_cores: foreignCores,
      ...(outcomes ? { outcomes } : {}),
      ...(redisCommands ? { redis_commands: redisCommands.byCommand } : {}),
      ...(probe ? { redis_probe: probe } : {}),
    };
    const problem = sanity(load, outcomes);
    return problem ? { status: 'failed', note: problem, figures, detail } : { status: 'ok', figures, detail };
  } catch (error) {
    return { status: 'failed', note: (error as Error).message };
  } finally {
    await target.stop();
  }
}

/** The run counts only if (nearly) every request was answered 2xx, and hookguard accepted them. */
function sanity(load: LoadResult, outcomes: Record<string, number> | undefined): string | undefined {
  const sent = load.requests + load.errors;
  if (load.requests === 0) return 'no request was answered';
  const bad = load.non2xx + load.errors;
  if (bad > sent * MAX_BAD_SHARE) return `${bad} of ${sent} requests failed (${load.non2xx} non-2xx, ${load.errors} errors)`;
  if (outcomes) {
    const accepted = outcomes.accepted ?? 0;
    if (accepted < load.ok2xx * (1 - MAX_BAD_SHARE)) return `hookguard accepted ${accepted} of ${load.ok2xx} 2xx answers: ${JSON.stringify(outcomes)}`;
  }
  return undefined;
}

/** Waits until the processes use (almost) no CPU: at most 2 ms in 100 ms, or 3 s have passed. */
async function settle(pids: readonly number[]): Promise<void> {
  if (pids.length === 0) return;
  const deadline = Date.now() + 3_000;
  let last = sum(pids.map(cpuMicros));
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = sum(pids.map(cpuMicros));
    if (now - last <= 2_000) return;
    last = now;
  }
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
