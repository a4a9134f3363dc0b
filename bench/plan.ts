import type { BenchContext } from './bench-context.js';
import type { BenchOptions, ScenarioName } from './bench-options.js';
import type { MeasureRequest } from './measure.js';
import type { Target } from './targets/target.js';
import { Unavailable } from './targets/target.js';
import { startNodeProxy } from './targets/start-node-proxy.js';
import { DELIVERY_HEADER } from './delivery.js';

export type Shape = 'saturation' | 'fixed';
export const SHAPES: readonly Shape[] = ['saturation', 'fixed'];
const KIB = 1024;

/** The path the app serves; what hookguard forwards /hooks/github/<token> to. */
const APP_PATH = '/webhooks/github';

/** One scenario in one load shape: 1 KiB GitHub-signed deliveries, each with its own delivery id. */
export function scenarioRequest(context: BenchContext, options: BenchOptions, name: ScenarioName, shape: Shape): MeasureRequest {
  const body = context.body(KIB);
  const hookguard = name === 'hookguard-memory' || name === 'hookguard-redis';
  const paths = hookguard ? context.hookguard({ hooks: 1, tokens: 1 }, name === 'hookguard-redis').paths : [APP_PATH];
  const direct = name === 'direct';
  return {
    label: `${shape} ${name}`,
    start: direct ? async (): Promise<Target> => ({ port: context.app.port, pids: () => [], stop: async () => {} }) : () => context.startScenario(name),
    load: {
      paths,
      headers: body.headers,
      deliveryHeader: DELIVERY_HEADER,
      bodyFile: body.file,
      connections: options.connections,
      ...(shape === 'fixed' ? { rate: options.rate } : {}),
    },
    bodyBytes: body.bytes,
    warmupSeconds: options.warmupSeconds,
    seconds: options.seconds,
    probeSeconds: options.probeSeconds,
    tool: options.tool,
    workDir: context.workDir,
    appPid: context.app.process.pid,
    direct,
    ...(name === 'hookguard-redis' && context.redis ? { redis: context.redis } : {}),
  };
}

export type Curve = 'hooks' | 'tokens' | 'hooks_tokens' | 'body' | 'connections';

export interface ScalePoint {
  readonly key: string;
  readonly scenario: 'hookguard' | 'node-proxy';
  readonly hooks: number;
  readonly tokens: number;
  readonly bodyBytes: number;
  readonly connections: number;
}

const base = { hooks: 1, tokens: 1, bodyBytes: KIB, connections: 32 };

function point(scenario: ScalePoint['scenario'], change: Partial<Omit<ScalePoint, 'key' | 'scenario'>>): ScalePoint {
  const shape = { ...base, ...change };
  return { key: `${scenario}:h${shape.hooks}:t${shape.tokens}:b${shape.bodyBytes}:c${shape.connections}`, scenario, ...shape };
}

/** Each curve, as the points it is drawn through; points shared by curves are measured once per round. */
export const CURVES: ReadonlyArray<{ readonly curve: Curve; readonly points: readonly ScalePoint[] }> = [
  { curve: 'hooks', points: [point('hookguard', {}), point('hookguard', { hooks: 100 }), point('hookguard', { hooks: 1000 })] },
  { curve: 'tokens', points: [point('hookguard', {}), point('hookguard', { tokens: 10_000 })] },
  { curve: 'hooks_tokens', points: [point('hookguard', {}), point('hookguard', { hooks: 1000, tokens: 10_000 })] },
  {
    curve: 'body',
    points: [KIB, 64 * KIB, 1024 * KIB].flatMap((bodyBytes) => [point('hookguard', { bodyBytes }), point('node-proxy', { bodyBytes })]),
  },
  {
    curve: 'connections',
    points: [1, 32, 256].flatMap((connections) => [point('hookguard', { connections }), point('node-proxy', { connections })]),
  },
];

export function scalePoints(curves: readonly string[]): ScalePoint[] {
  const unique = new Map<string, ScalePoint>();
  for (const { curve, points } of CURVES) if (curves.includes(curve)) for (const found of points) unique.set(found.key, found);
  return [...unique.values()];
}

/**
 * A scale point under saturation load. hookguard runs with Redis when this build can, else with
 * memory; more than one token per hook needs Redis (the token set lives there), so without it those
 * points are unavailable.
 */
export function scaleRequest(context: BenchContext, options: BenchOptions, found: ScalePoint): MeasureRequest {
  const body = context.body(found.bodyBytes);
  const withRedis = context.redisStoreMissing === undefined && context.redis !== undefined;
  const hookguard = found.scenario === 'hookguard';
  const perHookTokens = found.tokens / found.hooks;
  const setup = hookguard && (withRedis || perHookTokens <= 1) ? context.hookguard({ hooks: found.hooks, tokens: found.tokens }, withRedis) : undefined;
  return {
    label: `scale ${found.key}`,
    start: async () => {
      if (!hookguard) return startNodeProxy(context.app.port);
      if (!setup) throw new Unavailable(`${found.tokens} tokens over ${found.hooks} hooks need the Redis token set (${context.redisStoreMissing ?? 'no Redis'})`);
      return context.startHookguard(setup, withRedis);
    },
    load: {
      paths: setup ? setup.paths : [APP_PATH],
      headers: body.headers,
      deliveryHeader: DELIVERY_HEADER,
      bodyFile: body.file,
      connections: found.connections,
    },
    bodyBytes: body.bytes,
    warmupSeconds: Math.min(options.warmupSeconds, 2),
    seconds: options.scaleSeconds,
    probeSeconds: options.probeSeconds,
    tool: options.tool,
    workDir: context.workDir,
    appPid: context.app.process.pid,
    ...(hookguard && withRedis && context.redis ? { redis: context.redis } : {}),
  };
}

/** The scenario name a hookguard scale point actually ran as. */
export function scaleScenarioName(context: BenchContext, found: ScalePoint): string {
  if (found.scenario === 'node-proxy') return 'node-proxy';
  return context.redisStoreMissing === undefined && context.redis !== undefined ? 'hookguard-redis' : 'hookguard-memory';
}
