import type { Reason } from '../observability/metric-names.js';

/**
 * The status and the text of every rejection (CONTRACT.md "Answers"). Texts are for the provider's
 * delivery log: short, and never more telling than the status (a wrong token reads like no route).
 */
export const ANSWERS: Readonly<Record<GatewayReason, { readonly status: number; readonly text: string }>> = Object.freeze({
  method: { status: 405, text: 'method not allowed: webhooks are POST\n' },
  not_found: { status: 404, text: 'not found\n' },
  source: { status: 403, text: 'source address not allowed\n' },
  origin: { status: 403, text: 'browser requests are not accepted\n' },
  header: { status: 400, text: 'missing or invalid required header\n' },
  content_type: { status: 415, text: 'content type not allowed\n' },
  too_large: { status: 413, text: 'body too large\n' },
  signature: { status: 401, text: 'signature missing or invalid\n' },
  timestamp: { status: 401, text: 'timestamp outside the tolerance window\n' },
  rate_limited: { status: 429, text: 'rate limited\n' },
  locked_out: { status: 429, text: 'too many failed attempts\n' },
  replay: { status: 409, text: 'delivery already in flight\n' },
  unavailable: { status: 503, text: 'temporarily unavailable\n' },
  timeout: { status: 408, text: 'request not received in time\n' },
  malformed: { status: 400, text: 'malformed request\n' },
  header_too_large: { status: 431, text: 'request headers too large\n' },
});

export type GatewayReason = Reason;

/** Rejections that count as a failed authentication towards the lockout. */
export const AUTH_FAILURES: ReadonlySet<GatewayReason> = new Set<GatewayReason>(['not_found', 'signature', 'timestamp', 'origin']);

export const HEADER = {
  duplicate: 'Hookguard-Duplicate',
  verified: 'Hookguard-Verified',
  requestId: 'X-Request-Id',
  retryAfter: 'Retry-After',
} as const;
