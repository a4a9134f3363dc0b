import type { ProviderScheme, SchemeSettings, SignedRequest, VerifyResult } from './types.js';
import { BAD_SIGNATURE, VERIFIED } from './types.js';
import { headerValue } from './header-value.js';
import { decodeHex } from './decode-hex.js';
import { hmacDigest } from './hmac-digest.js';
import { matchesAnyKey } from './matches-any-key.js';
import { utf8Keys } from './utf8-keys.js';

const PREFIX = 'sha256=';

/**
 * GitHub: X-Hub-Signature-256 is `sha256=` and the hex HMAC-SHA256 of the raw body under the
 * webhook secret (docs.github.com, "Validating webhook deliveries"). The legacy X-Hub-Signature
 * (HMAC-SHA1) is never accepted on its own: GitHub keeps it only for compatibility, and SHA-1 is
 * the weaker MAC. GitHub signs no timestamp, so there is no tolerance window; replays are caught
 * by the delivery id.
 */
export function verifyGithub(request: SignedRequest, settings: SchemeSettings): VerifyResult {
  const header = headerValue(request.headers, 'x-hub-signature-256');
  if (header === undefined || !header.startsWith(PREFIX)) return BAD_SIGNATURE;
  const presented = decodeHex(header.slice(PREFIX.length), 32);
  if (presented === undefined) return BAD_SIGNATURE;
  return matchesAnyKey(utf8Keys(settings), [presented], (key) => hmacDigest('sha256', key, request.body)) ? VERIFIED : BAD_SIGNATURE;
}

/**
 * X-GitHub-Delivery is a GUID per event, shared by every hook that event is delivered to and kept
 * by redeliveries (docs.github.com, "Webhook events and payloads": delivery headers); X-GitHub-Hook-ID
 * names the hook. The pair identifies one delivery of one hook, so two hooks of one repository
 * pointed at this sidecar (say a repository hook and an organization hook) are not taken for
 * duplicates of each other.
 */
export function githubDeliveryId(request: SignedRequest): string | undefined {
  const delivery = headerValue(request.headers, 'x-github-delivery');
  if (delivery === undefined || delivery.length === 0) return undefined;
  const hookId = headerValue(request.headers, 'x-github-hook-id');
  return hookId ? `${hookId}:${delivery}` : delivery;
}

export const github: ProviderScheme = {
  verify: verifyGithub,
  deliveryId: githubDeliveryId,
  deliveryIdInHeaders: true,
};
