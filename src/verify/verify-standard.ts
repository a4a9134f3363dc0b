import type { IncomingHttpHeaders } from 'node:http';
import type { ProviderScheme, SchemeSettings, SignedRequest, VerifyResult } from './types.js';
import { BAD_SIGNATURE, BAD_TIMESTAMP, VERIFIED } from './types.js';
import { headerValue } from './header-value.js';
import { decodeBase64 } from './decode-base64.js';
import { parseUnixSeconds } from './parse-unix-seconds.js';
import { withinTolerance } from './within-tolerance.js';
import { hmacDigest } from './hmac-digest.js';
import { matchesAnyKey } from './matches-any-key.js';
import { memoizePerSettings } from './memoize-per-settings.js';

const SECRET_PREFIX = 'whsec_';
const SCHEME_PREFIX = 'v1,';
const SIGNATURE_ENTRY = /^v[0-9]+[a-z]*,[A-Za-z0-9+/]+={0,2}$/;

interface StandardHeaders {
  readonly id?: string;
  readonly timestamp?: string;
  readonly signature?: string;
}

/** The symmetric key of a `whsec_<base64>` secret (the prefix is optional, as in the reference libraries), or undefined. */
function standardKey(secret: string): Buffer | undefined {
  const encoded = secret.startsWith(SECRET_PREFIX) ? secret.slice(SECRET_PREFIX.length) : secret;
  const key = decodeBase64(encoded);
  return key !== undefined && key.length > 0 ? key : undefined;
}

const keysOf = memoizePerSettings((settings) =>
  Object.freeze(settings.secrets.map(standardKey).filter((key): key is Buffer => key !== undefined)),
);

/**
 * Standard Webhooks (github.com/standard-webhooks/standard-webhooks, spec/standard-webhooks.md),
 * used by Svix and others. The content signed is `${webhook-id}.${webhook-timestamp}.${body}`,
 * HMAC-SHA256 under the secret's decoded key (`whsec_` + base64); webhook-signature is a
 * space-separated list of `version,signature` entries, of which only `v1` (symmetric) is ours to
 * check: `v1a` (Ed25519) and unknown versions are skipped, so they can never replace a `v1`.
 * Svix sends the same headers named `svix-*` unless white-labelled (docs.svix.com, "Verifying
 * Webhooks Manually"); the three are read from one family, never mixed.
 *
 * Reasons: a missing header, an id containing `.` (the spec forbids it: it would make the signed
 * content ambiguous), an entry not of the `version,base64` form, or no well-formed `v1` is
 * `signature`; a timestamp that is not plain digits,
 * or a valid signature outside the tolerance in either direction (the spec asks for both), is
 * `timestamp`.
 */
export function verifyStandard(request: SignedRequest, settings: SchemeSettings, nowSeconds: number): VerifyResult {
  const { id, timestamp: timestampText, signature } = standardHeaders(request.headers);
  if (!id || !timestampText || !signature || id.includes('.')) return BAD_SIGNATURE;
  const presented = v1Signatures(signature);
  if (presented === undefined || presented.length === 0) return BAD_SIGNATURE;
  const timestamp = parseUnixSeconds(timestampText);
  if (timestamp === undefined) return BAD_TIMESTAMP;
  const signed = [id, '.', timestampText, '.', request.body];
  if (!matchesAnyKey(keysOf(settings), presented, (key) => hmacDigest('sha256', key, signed))) return BAD_SIGNATURE;
  return withinTolerance(timestamp, nowSeconds, settings.toleranceSeconds) ? VERIFIED : BAD_TIMESTAMP;
}

/**
 * The `v1` signatures of a webhook-signature header, or undefined when any entry is not of the
 * `version,base64` form. Refusing the whole header rather than skipping the bad entry is what
 * catches a repeated header: Node joins two webhook-signature headers as "v1,A, v1,B", whose first
 * entry then ends in a comma.
 */
function v1Signatures(header: string): Buffer[] | undefined {
  const signatures: Buffer[] = [];
  for (const entry of header.split(' ')) {
    if (!SIGNATURE_ENTRY.test(entry)) return undefined;
    if (!entry.startsWith(SCHEME_PREFIX)) continue;
    const decoded = decodeBase64(entry.slice(SCHEME_PREFIX.length), 32);
    if (decoded !== undefined) signatures.push(decoded);
  }
  return signatures;
}

function standardHeaders(headers: IncomingHttpHeaders): StandardHeaders {
  const standardNamed = headers['webhook-id'] !== undefined || headers['webhook-timestamp'] !== undefined || headers['webhook-signature'] !== undefined;
  const prefix = standardNamed ? 'webhook-' : 'svix-';
  return {
    id: headerValue(headers, `${prefix}id`),
    timestamp: headerValue(headers, `${prefix}timestamp`),
    signature: headerValue(headers, `${prefix}signature`),
  };
}

/** webhook-id "remains the same no matter how many times a webhook that has failed is retried" (the spec); svix-id when Svix is not white-labelled. */
export function standardDeliveryId(request: SignedRequest): string | undefined {
  return standardHeaders(request.headers).id || undefined;
}

/** A secret that does not decode to a key would never match: config reports it instead. */
function standardSettingsProblems(settings: SchemeSettings): readonly string[] {
  const problems: string[] = [];
  settings.secrets.forEach((secret, index) => {
    if (standardKey(secret) === undefined) {
      problems.push(`secret ${index + 1} is not a Standard Webhooks secret: expected whsec_ followed by base64`);
    }
  });
  return problems;
}

export const standard: ProviderScheme = {
  verify: verifyStandard,
  deliveryId: standardDeliveryId,
  deliveryIdInHeaders: true,
  settingsProblems: standardSettingsProblems,
};
