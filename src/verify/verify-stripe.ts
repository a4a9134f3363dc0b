import type { ProviderScheme, SchemeSettings, SignedRequest, VerifyResult } from './types.js';
import { BAD_SIGNATURE, BAD_TIMESTAMP, VERIFIED } from './types.js';
import { headerValue } from './header-value.js';
import { decodeHex } from './decode-hex.js';
import { parseUnixSeconds } from './parse-unix-seconds.js';
import { withinTolerance } from './within-tolerance.js';
import { hmacDigest } from './hmac-digest.js';
import { matchesAnyKey } from './matches-any-key.js';
import { utf8Keys } from './utf8-keys.js';
import { readTopLevelId } from './read-top-level-id.js';

interface StripeHeader {
  readonly timestamp: string;
  readonly signatures: readonly Buffer[];
}

/**
 * Stripe (docs.stripe.com/webhooks, "Verify signatures manually"): Stripe-Signature is a list of
 * `key=value` pairs separated by commas; `t` is the Unix time Stripe signed at and each `v1` is a
 * hex HMAC-SHA256 of `${t}.${body}`. There can be several `v1` (one per secret while a secret is
 * rolled), and every other scheme is discarded: Stripe says so, and it means a forged `v0` (the
 * test-mode scheme) can never stand in for a missing `v1`. The `whsec_...` secret is the HMAC key
 * exactly as written, prefix included (Stripe's libraries do not decode it).
 *
 * Reasons: no header, a repeated header, no `t`, more than one `t`, or no well-formed `v1` is
 * `signature`; a `t` that is not plain digits is `timestamp`; a signature that verifies with a
 * `t` outside the tolerance (either direction; Stripe's libraries only look back, a timestamp from the future is
 * just as much a prepared replay) is `timestamp`.
 */
export function verifyStripe(request: SignedRequest, settings: SchemeSettings, nowSeconds: number): VerifyResult {
  const header = headerValue(request.headers, 'stripe-signature');
  const parsed = header === undefined ? undefined : parseStripeHeader(header);
  if (parsed === undefined || parsed.signatures.length === 0) return BAD_SIGNATURE;
  const timestamp = parseUnixSeconds(parsed.timestamp);
  if (timestamp === undefined) return BAD_TIMESTAMP;
  const signed = [parsed.timestamp, '.', request.body];
  if (!matchesAnyKey(utf8Keys(settings), parsed.signatures, (key) => hmacDigest('sha256', key, signed))) return BAD_SIGNATURE;
  return withinTolerance(timestamp, nowSeconds, settings.toleranceSeconds) ? VERIFIED : BAD_TIMESTAMP;
}

function parseStripeHeader(header: string): StripeHeader | undefined {
  // Stripe writes no spaces. Node joins a repeated header with ", ", so a space means two headers,
  // and which of them Stripe sent is not ours to guess.
  if (header.includes(' ')) return undefined;
  let timestamp: string | undefined;
  const signatures: Buffer[] = [];
  for (const item of header.split(',')) {
    const equals = item.indexOf('=');
    if (equals === -1) continue;
    const key = item.slice(0, equals);
    const value = item.slice(equals + 1);
    if (key === 't') {
      // Two timestamps leave it open which one was signed: refuse rather than pick.
      if (timestamp !== undefined) return undefined;
      timestamp = value;
    } else if (key === 'v1') {
      const signature = decodeHex(value, 32);
      if (signature !== undefined) signatures.push(signature);
    }
  }
  return timestamp === undefined ? undefined : { timestamp, signatures };
}

/**
 * Stripe sends no delivery id header; the event id (`evt_...`, the body's top-level `id`) is what
 * stays the same across Stripe's retries (docs.stripe.com/webhooks, "Handle duplicate events").
 */
export function stripeDeliveryId(request: SignedRequest): string | undefined {
  return readTopLevelId(request.body);
}

export const stripe: ProviderScheme = {
  verify: verifyStripe,
  deliveryId: stripeDeliveryId,
};
