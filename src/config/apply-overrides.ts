import { isObject } from './shape.js';

/** What the command line and environment may change in a config file. */
export interface Overrides {
  readonly listen?: string;
  readonly admin?: string;
  readonly upstream?: string;
  /** HOOKGUARD_REDIS_URL: replaces redis.url (and any sentinel or cluster section). */
  readonly redisUrl?: string;
}

/** Applies overrides to the parsed file before validation, so the result is validated as one. */
export function applyOverrides(raw: unknown, overrides: Overrides): unknown {
  if (!isObject(raw)) return raw;
  const out: Record<string, unknown> = { ...raw };
  if (overrides.listen !== undefined) out.listen = overrides.listen;
  if (overrides.admin !== undefined) out.admin = overrides.admin;
  if (overrides.upstream !== undefined) out.upstream = overrides.upstream;
  if (overrides.redisUrl !== undefined && overrides.redisUrl !== '') {
    const redis = isObject(raw.redis) ? { ...raw.redis } : {};
    delete redis.sentinel;
    delete redis.cluster;
    out.redis = { ...redis, url: overrides.redisUrl };
  }
  return out;
}

export function overridesFromEnv(env: NodeJS.ProcessEnv): Overrides {
  return env.HOOKGUARD_REDIS_URL ? { redisUrl: env.HOOKGUARD_REDIS_URL } : {};
}
