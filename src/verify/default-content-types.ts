import type { ProviderName } from './types.js';

/**
 * The media types each provider sends, used when a hook lists no `contentTypes`. Anything else is
 * answered 415 before the body is read.
 */
export const DEFAULT_CONTENT_TYPES: Readonly<Record<ProviderName, readonly string[]>> = Object.freeze({
  // A GitHub webhook's "Content type" setting is either of the two; both are signed the same way.
  github: Object.freeze(['application/json', 'application/x-www-form-urlencoded']),
  gitlab: Object.freeze(['application/json']),
  stripe: Object.freeze(['application/json']),
  // Events API: JSON; slash commands and interactivity: form-encoded.
  slack: Object.freeze(['application/json', 'application/x-www-form-urlencoded']),
  shopify: Object.freeze(['application/json']),
  // Form-encoded by default; JSON for the products that sign with bodySHA256.
  twilio: Object.freeze(['application/x-www-form-urlencoded', 'application/json']),
  standard: Object.freeze(['application/json']),
  discord: Object.freeze(['application/json']),
  // No provider to go by: JSON is what nearly every webhook sends; a hook can list others.
  hmac: Object.freeze(['application/json']),
  none: Object.freeze(['application/json']),
});
