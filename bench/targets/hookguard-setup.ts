import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BENCH_SECRET, urlToken } from '../delivery.js';
import { hashTokenForBench } from './token-hash.js';

export interface HookguardShape {
  readonly hooks: number;
  /** Active URL tokens in all, spread evenly over the hooks; more than one per hook needs Redis. */
  readonly tokens: number;
  readonly redisUrl?: string;
}

export interface HookguardSetup {
  readonly configFile: string;
  /** Every path the load uses: each hook with each of its active tokens. */
  readonly paths: string[];
  /** Token records to write into Redis before the sidecar starts (hash → `createdAt:0`), by hook. */
  readonly tokenSets: ReadonlyMap<string, readonly string[]>;
}

/** Above the largest scale body (1 MiB) with room for its framing. */
export const BENCH_MAX_BODY_BYTES = 2 * 1_048_576;

/**
 * Writes a sidecar config with every check on: GitHub signature, URL token, source allowlist,
 * required header, content type, User-Agent, body limit, per-source and per-hook limits (high
 * enough never to refuse a benchmark), lockout and replay de-duplication. Secrets and tokens are
 * files next to the config, as in production.
 */
export function writeHookguardConfig(dir: string, appPort: number, shape: HookguardShape): HookguardSetup {
  mkdirSync(join(dir, 'tokens'), { recursive: true });
  writeFileSync(join(dir, 'github-secret'), BENCH_SECRET);
  const names = Array.from({ length: shape.hooks }, (_, index) => (shape.hooks === 1 ? 'github' : `h${String(index).padStart(4, '0')}`));
  const perHook = Math.max(1, Math.round(shape.tokens / shape.hooks));
  const paths: string[] = [];
  const tokenSets = new Map<string, string[]>();
  const hooks = names.map((name) => {
    const tokens = Array.from({ length: perHook }, () => urlToken());
    writeFileSync(join(dir, 'tokens', name), tokens[0]!);
    for (const token of tokens) paths.push(`/hooks/${name}/${token}`);
    if (perHook > 1) tokenSets.set(name, tokens.map(hashTokenForBench));
    return {
      name,
      path: `/hooks/${name}`,
      upstreamPath: `/webhooks/${name}`,
      provider: 'github',
      secrets: [{ file: 'github-secret' }],
      token: { file: `tokens/${name}` },
      sources: ['127.0.0.0/8'],
      headers: { 'X-GitHub-Event': '^[a-z_]+$' },
      contentTypes: ['application/json'],
      maxBodyBytes: BENCH_MAX_BODY_BYTES,
      dedupe: { ttlSeconds: 86_400 },
      rateLimit: {
        perSource: { points: 10_000_000, durationSeconds: 60 },
        perHook: { points: 10_000_000, durationSeconds: 60 },
      },
      lockout: { failures: 10, windowSeconds: 600, blockSeconds: 3600 },
    };
  });
  const config = {
    listen: '127.0.0.1:0',
    admin: '127.0.0.1:0',
    upstream: `http://127.0.0.1:${appPort}`,
    ...(shape.redisUrl ? { redis: { url: shape.redisUrl, onError: 'open' } } : {}),
    hooks,
  };
  const configFile = join(dir, 'hookguard.json');
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`);
  // Spread the hooks over the request order, so consecutive requests hit different hooks and tokens.
  return { configFile, paths: interleave(paths, perHook), tokenSets };
}

/** [h0t0, h0t1, h1t0, h1t1] → [h0t0, h1t0, h0t1, h1t1]. */
function interleave(paths: string[], perHook: number): string[] {
  const hooks = paths.length / perHook;
  const out: string[] = [];
  for (let token = 0; token < perHook; token++) for (let hook = 0; hook < hooks; hook++) out.push(paths[hook * perHook + token]!);
  return out;
}
