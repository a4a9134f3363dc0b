import type { ProviderScheme, SignedRequest, SchemeSettings, VerifyResult } from './types.js';
import { BAD_SIGNATURE, VERIFIED } from './types.js';
import { headerValue } from './header-value.js';
import { matchesAnyKey } from './matches-any-key.js';
import { utf8Keys } from './utf8-keys.js';

/**
 * GitLab sends the webhook's secret token verbatim in X-Gitlab-Token (docs.gitlab.com, "Webhooks":
 * "Secret token"). There is no signature over the body, so the token is compared in constant time
 * against every active secret; the body and the time are not covered, which is why GitLab hooks
 * should also be restricted by `sources`.
 */
export function verifyGitlab(request: SignedRequest, settings: SchemeSettings): VerifyResult {
  const token = headerValue(request.headers, 'x-gitlab-token');
  if (token === undefined || token.length === 0) return BAD_SIGNATURE;
  const presented = [Buffer.from(token, 'utf8')];
  return matchesAnyKey(utf8Keys(settings), presented, (key) => key) ? VERIFIED : BAD_SIGNATURE;
}

/**
 * Idempotency-Key is the same on every retry of one delivery (added by gitlab-org/gitlab issue
 * 388692 so that receivers can tell retries apart); X-Gitlab-Event-UUID is the fallback for GitLab
 * versions that do not send it.
 */
export function gitlabDeliveryId(request: SignedRequest): string | undefined {
  return headerValue(request.headers, 'idempotency-key') || headerValue(request.headers, 'x-gitlab-event-uuid') || undefined;
}

export const gitlab: ProviderScheme = {
  verify: verifyGitlab,
  deliveryId: gitlabDeliveryId,
  deliveryIdInHeaders: true,
};
