import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Logger } from 'pino';
import type { HookConfig, RedisConfig } from '../../src/config/types.js';
import type { GatewayMetrics } from '../../src/observability/gateway-metrics.js';
import { createRedisClient, type RedisClient } from '../../src/state/redis/create-redis-client.js';
import { disconnectRedis } from '../../src/state/redis/disconnect-redis.js';
import { createRedisTokenBook, type RedisTokenBook } from '../../src/tokens/redis-token-book.js';
import { tokensCommand } from '../../src/tokens/tokens-command.js';
import { captureLogger, ready, testMetrics } from './support.js';

/** A configured URL token (what `token: {env: ...}` resolves to). */
export const CONFIGURED_TOKEN = 'configured-token-0123456789abcdefghijklmnop';

/** The sidecar config the `tokens` command reads: one token hook, one signature-only hook. */
export function writeSidecarConfig(redis: Record<string, unknown> | undefined): { path: string; env: NodeJS.ProcessEnv; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'hookguard-tokens-'));
  const path = join(dir, 'sidecar.json');
  writeFileSync(
    path,
    JSON.stringify({
      upstream: 'http://127.0.0.1:3000',
      ...(redis ? { redis } : {}),
      hooks: [
        { name: 'github', path: '/hooks/github', provider: 'none', token: { env: 'HG_TEST_TOKEN' } },
        { name: 'plain', path: '/hooks/plain', provider: 'github', secrets: [{ env: 'HG_TEST_SECRET' }] },
      ],
    }),
  );
  return { path, env: { HG_TEST_TOKEN: CONFIGURED_TOKEN, HG_TEST_SECRET: 'secret' }, remove: () => rmSync(dir, { recursive: true, force: true }) };
}

export interface CommandRun {
  readonly code: number;
  readonly out: string[];
  readonly err: string[];
}

export async function runTokens(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CommandRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await tokensCommand(args, env, { out: (line) => out.push(line), err: (line) => err.push(line) });
  return { code, out, err };
}

export const hookWithToken = (token: string): HookConfig => ({ name: 'github', token }) as unknown as HookConfig;

/** One replica's token book, on its own two connections. */
export interface BookReplica {
  readonly book: RedisTokenBook;
  readonly client: RedisClient;
  readonly metrics: GatewayMetrics;
  readonly lines: Array<Record<string, unknown>>;
  close(): Promise<void>;
}

export async function startBook(config: RedisConfig, options: { token?: string; resyncIntervalMs?: number; logger?: Logger } = {}): Promise<BookReplica> {
  const client = await ready(createRedisClient(config));
  const subscriber = createRedisClient(config, undefined, { subscriber: true });
  const metrics = testMetrics(['github']);
  const captured = captureLogger();
  const book = createRedisTokenBook({
    client,
    subscriber,
    prefix: config.prefix,
    hooks: [hookWithToken(options.token ?? CONFIGURED_TOKEN)],
    logger: options.logger ?? captured.logger,
    metrics,
    ...(options.resyncIntervalMs !== undefined ? { resyncIntervalMs: options.resyncIntervalMs } : {}),
  });
  await book.start();
  return {
    book,
    client,
    metrics,
    lines: captured.lines,
    close: async () => {
      await book.close();
      await disconnectRedis(client);
    },
  };
}

/** Polls until every book honours (or refuses) the token; returns how long that took. */
export async function untilEveryBook(books: readonly BookReplica[], token: string, valid: boolean, timeoutMs: number): Promise<number> {
  const start = Date.now();
  for (;;) {
    if (books.every(({ book }) => book.tokensOf('github')?.has(token) === valid)) return Date.now() - start;
    if (Date.now() - start > timeoutMs) throw new Error(`not every book ${valid ? 'honours' : 'refuses'} the token after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}
