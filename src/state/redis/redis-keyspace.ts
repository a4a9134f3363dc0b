/**
 * Every key hookguard writes, under the configured prefix.
 *
 * Each hook's keys carry the hook in a hash tag (`hookguard:{github}:...`): Redis Cluster places a
 * key by the part between the first `{` and `}` only, so all the keys of one hook (its windows,
 * every source's counters, its replay records and tokens) live in one slot. That is what lets one
 * Lua script touch the lockout, per-source and per-hook counters of a request at once, on any
 * topology. The prefix cannot hold a brace (config validation), so the hook's tag is always the
 * first one. The price: one hook's traffic is served by one shard; hooks spread over the shards.
 */
export class RedisKeyspace {
  constructor(readonly prefix: string) {}

  /** `prefix:{hook}`: the start of every key of the hook. */
  hookTag(hook: string): string {
    return `${this.prefix}:{${hook}}`;
  }

  /** rate-limiter-flexible's keyPrefix for the lockout counters; it appends `:source`. */
  lockoutPrefix(hook: string): string {
    return `${this.hookTag(hook)}:lockout`;
  }

  lockout(hook: string, source: string): string {
    return `${this.lockoutPrefix(hook)}:${source}`;
  }

  perSource(hook: string, source: string): string {
    return `${this.hookTag(hook)}:rate:source:${source}`;
  }

  perHook(hook: string): string {
    return `${this.hookTag(hook)}:rate:hook`;
  }

  replay(hook: string, deliveryId: string): string {
    return `${this.hookTag(hook)}:replay:${deliveryId}`;
  }

  /** A hash: token hash (hex SHA-256) → `createdAt:expiresAt` (epoch ms, 0 = no expiry). */
  tokens(hook: string): string {
    return `${this.hookTag(hook)}:tokens`;
  }

  /** Pub/sub channel of token changes, for every hook (pub/sub reaches every Cluster node). */
  tokenChannel(): string {
    return `${this.prefix}:tokens`;
  }
}
