import type { ProviderScheme, SchemeSettings, SignedRequest, VerifyResult } from './types.js';
import { BAD_SIGNATURE, VERIFIED } from './types.js';
import { headerValue } from './header-value.js';
import { decodeBase64 } from './decode-base64.js';
import { hmacDigest } from './hmac-digest.js';
import { matchesAnyKey } from './matches-any-key.js';
import { utf8Keys } from './utf8-keys.js';

/**
 * Shopify (shopify.dev/docs/apps/build/webhooks/verify-deliveries): X-Shopify-Hmac-SHA256 is the
 * base64 HMAC-SHA256 of the raw body under the app's client secret. Shopify signs no timestamp.
 * Shopify notes that after a client secret is rotated it can take up to an hour before deliveries
 * are signed with the new one: keep both secrets listed for that hour.
 */
export function verifyShopify(request: SignedRequest, settings: SchemeSettings): VerifyResult {
  const header = headerValue(request.headers, 'x-shopify-hmac-sha256');
  const presented = header === undefined ? undefined : decodeBase64(header, 32);
  if (presented === undefined) return BAD_SIGNATURE;
  return matchesAnyKey(utf8Keys(settings), [presented], (key) => hmacDigest('sha256', key, request.body)) ? VERIFIED : BAD_SIGNATURE;
}

/**
 * X-Shopify-Webhook-Id: Shopify's current guide (shopify.dev/docs/apps/build/webhooks/verify-deliveries)
 * calls it the delivery id to "ignore duplicate deliveries" with, and shopify-app-remix documents
 * `webhookId` as "the idempotency key". It is per subscription, so two subscriptions that point at
 * one hook are not merged. Shopify's older page (shopify.dev/docs/apps/build/webhooks/ignore-duplicates)
 * named X-Shopify-Event-Id, which stays the same for one event across subscriptions; it is the
 * fallback when the webhook id is absent.
 */
export function shopifyDeliveryId(request: SignedRequest): string | undefined {
  return headerValue(request.headers, 'x-shopify-webhook-id') || headerValue(request.headers, 'x-shopify-event-id') || undefined;
}

export const shopify: ProviderScheme = {
  verify: verifyShopify,
  deliveryId: shopifyDeliveryId,
  deliveryIdInHeaders: true,
};
