import type { ProviderScheme, SchemeSettings, SignedRequest, VerifyResult } from './types.js';
import { BAD_SIGNATURE, BAD_TIMESTAMP, VERIFIED } from './types.js';
import { headerValue } from './header-value.js';
import { decodeHex } from './decode-hex.js';
import { parseUnixSeconds } from './parse-unix-seconds.js';
import { withinTolerance } from './within-tolerance.js';
import { hmacDigest } from './hmac-digest.js';
import { matchesAnyKey } from './matches-any-key.js';
import { utf8Keys } from './utf8-keys.js';

const PREFIX = 'v0=';

/**
 * Slack (api.slack.com/authentication/verifying-requests-from-slack): X-Slack-Signature is `v0=`
 * and the hex HMAC-SHA256, under the app's signing secret, of `v0:${X-Slack-Request-Timestamp}:${body}`
 * over the raw body (JSON for the Events API, form-encoded for slash commands and interactivity:
 * both are signed the same way). Slack asks to refuse timestamps more than five minutes away,
 * which is the default tolerance.
 *
 * Reasons: a missing header or a signature not of the `v0=` + 64 hex form is `signature`; a
 * timestamp that is not plain digits, or a valid signature outside the tolerance, is `timestamp`.
 */
export function verifySlack(request: SignedRequest, settings: SchemeSettings, nowSeconds: number): VerifyResult {
  const header = headerValue(request.headers, 'x-slack-signature');
  const timestampText = headerValue(request.headers, 'x-slack-request-timestamp');
  if (header === undefined || !header.startsWith(PREFIX) || !timestampText) return BAD_SIGNATURE;
  const presented = decodeHex(header.slice(PREFIX.length), 32);
  if (presented === undefined) return BAD_SIGNATURE;
  const timestamp = parseUnixSeconds(timestampText);
  if (timestamp === undefined) return BAD_TIMESTAMP;
  const signed = ['v0:', timestampText, ':', request.body];
  if (!matchesAnyKey(utf8Keys(settings), [presented], (key) => hmacDigest('sha256', key, signed))) return BAD_SIGNATURE;
  return withinTolerance(timestamp, nowSeconds, settings.toleranceSeconds) ? VERIFIED : BAD_TIMESTAMP;
}

/**
 * None. Slack sends no delivery id header: X-Slack-Retry-Num only counts attempts, and slash
 * commands and interactivity payloads carry no id at all. The Events API's `event_id` lives in the
 * body and would serve only that one kind of request; the five-minute signed timestamp is the
 * replay protection Slack itself prescribes.
 */
export function slackDeliveryId(): string | undefined {
  return undefined;
}

export const slack: ProviderScheme = {
  verify: verifySlack,
  deliveryId: slackDeliveryId,
};
