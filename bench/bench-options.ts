import { parseArgs } from 'node:util';
import type { SaturationTool } from './load/run-load.js';
import { execFileSync } from 'node:child_process';

export const SCENARIOS = ['direct', 'node-proxy', 'nginx', 'hookguard-memory', 'hookguard-redis'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];
export const CURVE_NAMES = ['hooks', 'tokens', 'hooks_tokens', 'body', 'connections'] as const;

export interface BenchOptions {
  readonly quick: boolean;
  readonly json?: string;
  readonly rounds: number;
  readonly seconds: number;
  readonly warmupSeconds: number;
  readonly probeSeconds: number;
  readonly scale: boolean;
  /** The scale curves to run (default: all). */
  readonly curves: readonly string[];
  /** False with --no-main: only the scale curves (for checking one curve after a change). */
  readonly main: boolean;
  readonly scaleRounds: number;
  readonly scaleSeconds: number;
  readonly rate: number;
  readonly connections: number;
  readonly tool: SaturationTool;
  readonly scenarios: readonly ScenarioName[];
  /** Profile mode: a CPU profile of the sidecar under saturation load, written into this folder. */
  readonly profile?: string;
  readonly profileSeconds: number;
  /** Body size of the profiled deliveries. */
  readonly profileBodyBytes: number;
  /** Configured hooks of the profiled sidecar; the load is spread over all of them. */
  readonly profileHooks: number;
  /** Extra node flags for every hookguard process (to try V8 heap settings, for example). */
  readonly hookguardNodeFlags: readonly string[];
}

export const USAGE = `usage: node --import tsx bench/run.ts [options]
  --quick               a short run for CI: 3 rounds of about 1 s per scenario, scale curves once
  --json PATH           also write the figures as JSON
  --rounds N            rounds of interleaved scenarios (default 3, at least 3 for the ratios to hold)
  --seconds S           measured window per scenario and shape (default 10)
  --warmup S            warm-up load before each window (default 3)
  --scale-seconds S     window per scale point (default 6); --scale-rounds N (default 3); --no-scale
  --curves a,b          only these scale curves: hooks, tokens, hooks_tokens, body, connections
  --no-main             skip the scenarios, run only the scale curves
  --rate N              the fixed load shape, requests per second (default 1000)
  --connections N       connections of the saturation shape (default 32)
  --loader wrk|autocannon   saturation load generator (default: wrk when installed)
  --only a,b            scenarios: ${SCENARIOS.join(', ')}
  --profile DIR         instead of the bench: profile the sidecar under saturation (CPU, on-CPU, allocations) into DIR
  --profile-seconds S   length of the profiled load (default 20); --profile-body BYTES (default 1024); --profile-hooks N (default 1)
  --hookguard-node-flags "..."   node flags for every sidecar, e.g. "--max-old-space-size=48"
Timings never fail the run; it exits 1 only when a scenario could not run (start-up failure,
load errors, or more than 1% of answers non-2xx or not accepted by hookguard).`;

export function parseBenchOptions(argv: readonly string[]): BenchOptions {
  const { values } = parseArgs({
    args: [...argv],
    options: {
      quick: { type: 'boolean', default: false },
      json: { type: 'string' },
      rounds: { type: 'string' },
      seconds: { type: 'string' },
      warmup: { type: 'string' },
      'scale-seconds': { type: 'string' },
      'scale-rounds': { type: 'string' },
      'no-scale': { type: 'boolean', default: false },
      curves: { type: 'string' },
      'no-main': { type: 'boolean', default: false },
      rate: { type: 'string' },
      connections: { type: 'string' },
      loader: { type: 'string' },
      only: { type: 'string' },
      profile: { type: 'string' },
      'profile-seconds': { type: 'string' },
      'profile-body': { type: 'string' },
      'profile-hooks': { type: 'string' },
      'hookguard-node-flags': { type: 'string' },
      help: { type: 'boolean', default: false },
    },
    strict: true,
  });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const quick = values.quick === true;
  const number = (value: string | undefined, fallback: number, name: string, min: number): number => {
    if (value === undefined) return fallback;
    const parsed = Number(value);
    if (!Number.isFinite(parsed) || parsed < min) throw new RangeError(`--${name} must be a number >= ${min}`);
    return parsed;
  };
  const loader = values.loader ?? (wrkInstalled() ? 'wrk' : 'autocannon');
  if (loader !== 'wrk' && loader !== 'autocannon') throw new RangeError('--loader must be wrk or autocannon');
  if (loader === 'wrk' && !wrkInstalled()) throw new RangeError('--loader wrk: wrk is not installed');
  const scenarios = values.only === undefined ? [...SCENARIOS] : values.only.split(',').map((name) => name.trim());
  for (const name of scenarios) if (!(SCENARIOS as readonly string[]).includes(name)) throw new RangeError(`--only: unknown scenario ${name}`);
  const curves = values.curves === undefined ? [...CURVE_NAMES] : values.curves.split(',').map((name) => name.trim());
  for (const name of curves) if (!(CURVE_NAMES as readonly string[]).includes(name)) throw new RangeError(`--curves: unknown curve ${name}`);
  return {
    quick,
    ...(values.json !== undefined ? { json: values.json } : {}),
    rounds: number(values.rounds, 3, 'rounds', 1),
    seconds: number(values.seconds, quick ? 1 : 10, 'seconds', 1),
    warmupSeconds: number(values.warmup, quick ? 1 : 3, 'warmup', 0),
    probeSeconds: quick ? 0.5 : 1,
    scale: values['no-scale'] !== true,
    curves,
    main: values['no-main'] !== true,
    scaleRounds: number(values['scale-rounds'], quick ? 1 : 3, 'scale-rounds', 1),
    scaleSeconds: number(values['scale-seconds'], quick ? 1 : 6, 'scale-seconds', 1),
    rate: number(values.rate, 1000, 'rate', 1),
    connections: number(values.connections, 32, 'connections', 1),
    tool: loader,
    scenarios: scenarios as ScenarioName[],
    ...(values.profile !== undefined ? { profile: values.profile } : {}),
    profileSeconds: number(values['profile-seconds'], quick ? 3 : 20, 'profile-seconds', 1),
    profileBodyBytes: number(values['profile-body'], 1024, 'profile-body', 128),
    profileHooks: number(values['profile-hooks'], 1, 'profile-hooks', 1),
    hookguardNodeFlags: (values['hookguard-node-flags'] ?? '').split(/\s+/).filter((flag) => flag !== ''),
  };
}

function wrkInstalled(): boolean {
  try {
    execFileSync('wrk', ['--version'], { stdio: 'ignore' });
    return true;
  } catch (error) {
    // wrk --version exits 1 after printing its version: installed all the same.
    return (error as NodeJS.ErrnoException).code !== 'ENOENT';
  }
}
