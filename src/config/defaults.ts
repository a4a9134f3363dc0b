import type { LockoutPolicy } from '../state/store.js';
import type { Timeouts } from './types.js';

/** Defaults of CONTRACT.md, and of the keys hookguard adds to it. */
export const DEFAULT_LISTEN = '0.0.0.0:8080';
export const DEFAULT_ADMIN = '0.0.0.0:9102';
export const DEFAULT_MAX_BODY_BYTES = 1_048_576;
export const MAX_MAX_BODY_BYTES = 64 * 1_048_576;
export const DEFAULT_TOLERANCE_SECONDS = 300;
export const DEFAULT_DEDUPE_TTL_SECONDS = 86_400;
export const DEFAULT_LOCKOUT: LockoutPolicy = Object.freeze({ failures: 20, windowSeconds: 600, blockSeconds: 900 });
export const DEFAULT_MAX_IN_FLIGHT = 512;
export const DEFAULT_MAX_HEADER_BYTES = 16_384;
/**
 * Request bodies held in memory at once, every request together: 32 large deliveries at the default
 * maxBodyBytes. What the sidecar needs beyond it is about 80 MiB of anonymous memory under load
 * (docs/performance.md), so the default sidecar memory limit (256Mi) has room for it.
 */
export const DEFAULT_MAX_BUFFERED_BODY_BYTES = 32 * 1_048_576;
export const DEFAULT_REDIS_PREFIX = 'hookguard';
/** A request never waits longer than this on Redis; past it, onError decides. */
export const DEFAULT_REDIS_TIMEOUT_MS = 250;

export const DEFAULT_TIMEOUTS: Timeouts = Object.freeze({
  upstreamConnectMs: 2_000,
  // GitHub gives up on a delivery after 10 s; answering 504 just before lets the provider see a
  // clear failure (and retry where it retries) instead of its own timeout.
  upstreamMs: 9_000,
  headersMs: 10_000,
  requestMs: 30_000,
  keepAliveMs: 65_000,
  shutdownMs: 20_000,
});

/** Hook names are metric label values: keep them short and plain. */
export const HOOK_NAME_PATTERN = /^[a-z0-9-]{1,63}$/;
/** URL tokens: URL-safe alphabet, long enough that guessing is hopeless. */
export const TOKEN_PATTERN = /^[A-Za-z0-9_-]{32,256}$/;
