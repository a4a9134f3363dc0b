import { Writable } from 'node:stream';
import { randomBytes } from 'node:crypto';
import pino, { type Logger } from 'pino';
import { Redis } from 'ioredis';
import type { RedisConfig } from '../../src/config/types.js';
import type { RedisClient } from '../../src/state/redis/create-redis-client.js';
import type { HostPort } from '../../src/net/parse-host-port.js';
import { createGatewayMetrics, type GatewayMetrics } from '../../src/observability/gateway-metrics.js';

/** A logger whose lines the test reads back as objects. */
export function captureLogger(): { logger: Logger; lines: Array<Record<string, unknown>> } {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const line of chunk.toString().split('\n')) if (line.trim() !== '') lines.push(JSON.parse(line) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

export const quietLogger = (): Logger => pino({ level: 'silent' });

/** A key prefix of its own per test, so tests sharing a server never see each other's keys. */
export const uniquePrefix = (): string => `t${randomBytes(4).toString('hex')}`;

type Mode = { mode: 'url'; url: string } | { mode: 'sentinel'; name: string; nodes: readonly HostPort[] } | { mode: 'cluster'; nodes: readonly HostPort[] };

export function redisConfig(target: Mode, options: { onError?: 'open' | 'closed'; prefix?: string; commandTimeoutMs?: number } = {}): RedisConfig {
  return { ...target, onError: options.onError ?? 'closed', prefix: options.prefix ?? uniquePrefix(), commandTimeoutMs: options.commandTimeoutMs ?? 250 } as RedisConfig;
}

export const nodesOf = (ports: readonly number[]): HostPort[] => ports.map((port) => ({ host: '127.0.0.1', port }));

export const testMetrics = (hooks: readonly string[] = []): GatewayMetrics => createGatewayMetrics(hooks, { defaultMetrics: false });

export async function metricValue(metrics: GatewayMetrics, name: 'redisUp' | 'tokenRotations', labels: Record<string, string> = {}): Promise<number> {
  const metric = await metrics[name].get();
  const match = metric.values.find((v) => Object.entries(labels).every(([k, value]) => (v.labels as Record<string, string | number | undefined>)[k] === value));
  return match?.value ?? 0;
}

/** Resolves once the client can take commands (a store's first request would otherwise meet 'connecting'). */
export async function ready(client: RedisClient, timeoutMs = 10_000): Promise<RedisClient> {
  if (client.status === 'ready') return client;
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Redis client not ready after ${timeoutMs} ms (status ${client.status})`)), timeoutMs);
    client.once('ready', () => {
      clearTimeout(timer);
      resolve();
    });
  });
  return client;
}

/** Runs `work` and returns its result with the time it took. */
export async function timed<T>(work: () => Promise<T>): Promise<{ value: T; ms: number }> {
  const start = performance.now();
  const value = await work();
  return { value, ms: performance.now() - start };
}

export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** `INFO commandstats` of one server: command → calls that ran. */
export async function commandCalls(port: number): Promise<Map<string, number>> {
  const admin = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 0 });
  try {
    await admin.connect();
    const text = await admin.info('commandstats');
    const calls = new Map<string, number>();
    // Commands that ran: a call refused (rejected_calls) or answered with an error such as NOSCRIPT
    // (failed_calls) did no work.
    for (const match of text.matchAll(/^cmdstat_([^:]+):calls=(\d+)(?:.*?,rejected_calls=(\d+),failed_calls=(\d+))?/gm)) {
      calls.set(match[1]!, Number(match[2]) - Number(match[3] ?? 0) - Number(match[4] ?? 0));
    }
    return calls;
  } finally {
    admin.disconnect();
  }
}

/** Calls per command between two snapshots (summed over several servers), without zeros. */
export function callDelta(before: readonly Map<string, number>[], after: readonly Map<string, number>[]): Map<string, number> {
  const delta = new Map<string, number>();
  after.forEach((snapshot, index) => {
    for (const [command, calls] of snapshot) {
      const diff = calls - (before[index]!.get(command) ?? 0);
      if (diff !== 0) delta.set(command, (delta.get(command) ?? 0) + diff);
    }
  });
  // The measuring connections' own commands.
  delta.delete('info');
  delta.delete('client|setname');
  return delta;
}
