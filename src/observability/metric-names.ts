/** Metric names and label values of CONTRACT.md, in one place: dashboards and alerts depend on them. */
export const METRIC = {
  requests: 'hookguard_requests_total',
  rejections: 'hookguard_rejections_total',
  requestDuration: 'hookguard_request_duration_seconds',
  upstreamDuration: 'hookguard_upstream_duration_seconds',
  redisUp: 'hookguard_redis_up',
  tokenRotations: 'hookguard_token_rotations_total',
  injections: 'hookguard_injections_total',
  configReloads: 'hookguard_config_reloads_total',
  inFlight: 'hookguard_in_flight_requests',
  suppressedLogs: 'hookguard_suppressed_log_lines_total',
  suspicious: 'hookguard_suspicious_requests_total',
  presetRefreshes: 'hookguard_preset_refreshes_total',
} as const;

export const OUTCOMES = ['accepted', 'rejected', 'duplicate', 'upstream_error'] as const;
export type Outcome = (typeof OUTCOMES)[number];

/** The `reason` label of hookguard_rejections_total. */
export const REASONS = [
  'method',
  'not_found',
  'source',
  'origin',
  'header',
  'content_type',
  'too_large',
  'signature',
  'timestamp',
  'rate_limited',
  'locked_out',
  'replay',
  'unavailable',
  // Added to the contract's list: answered by the HTTP layer before any hook is known.
  'timeout',
  'malformed',
  'header_too_large',
] as const;
export type Reason = (typeof REASONS)[number];

/** The hook label of a request that matched no hook. */
export const UNMATCHED_HOOK = 'unmatched';
