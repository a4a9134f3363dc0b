import { isObject } from './shape.js';

/** What the command line and environment may change in a config file. */
export interface Overrides {
  readonly listen?: string;
  readonly admin?: string;
  readonly upstream?: string;
  /** HOOKGUARD_REDIS_URL: replaces redis.url (and any sentinel or cluster section). */
  readonly redisUrl?: string;
  /** Set when HOOKGUARD_REDIS_PASSWORD is: the injector passes the password this way, from a Secret. */
  readonly redisPasswordEnv?: string;
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
  if (overrides.redisPasswordEnv !== undefined && isObject(out.redis)) {
    out.redis = { ...out.redis, password: { env: overrides.redisPasswordEnv } };
  }
  return out;
}

export function overridesFromEnv(env: NodeJS.ProcessEnv): Overrides {
  return {
    ...(env.HOOKGUARD_REDIS_URL ? { redisUrl: env.HOOKGUARD_REDIS_URL } : {}),
    ...(env.HOOKGUARD_REDIS_PASSWORD ? { redisPasswordEnv: 'HOOKGUARD_REDIS_PASSWORD' } : {}),
  };
}
