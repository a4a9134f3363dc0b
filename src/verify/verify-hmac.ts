import type { HmacAlgorithm, HmacSettings, ProviderScheme, SchemeSettings, SignedRequest, VerifyResult } from './types.js';
import { BAD_SIGNATURE, BAD_TIMESTAMP, VERIFIED } from './types.js';
import { headerValue } from './header-value.js';
import { decodeHex } from './decode-hex.js';
import { decodeBase64 } from './decode-base64.js';
import { parseUnixSeconds } from './parse-unix-seconds.js';
import { withinTolerance } from './within-tolerance.js';
import { hmacDigest } from './hmac-digest.js';
import { matchesAnyKey } from './matches-any-key.js';
import { utf8Keys } from './utf8-keys.js';
import { memoizePerSettings } from './memoize-per-settings.js';

const DIGEST_BYTES: Readonly<Record<HmacAlgorithm, number>> = { sha1: 20, sha256: 32, sha512: 64 };

type Segment = { readonly text: string } | 'timestamp' | 'body';

interface CompiledHmac {
  readonly header: string;
  readonly timestampHeader?: string;
  readonly algorithm: HmacAlgorithm;
  readonly encoding: HmacSettings['encoding'];
  readonly prefix: string;
  readonly digestBytes: number;
  readonly segments: readonly Segment[];
  readonly usesTimestamp: boolean;
}

/** `{timestamp}.{body}` → ['timestamp', {text: '.'}, 'body'], split once per hook instead of per request. */
function compileTemplate(template: string): Segment[] {
  const segments: Segment[] = [];
  let last = 0;
  for (const match of template.matchAll(/\{timestamp\}|\{body\}/g)) {
    if (match.index > last) segments.push({ text: template.slice(last, match.index) });
    segments.push(match[0] === '{body}' ? 'body' : 'timestamp');
    last = match.index + match[0].length;
  }
  if (last < template.length) segments.push({ text: template.slice(last) });
  return segments;
}

const compiledOf = memoizePerSettings((settings): CompiledHmac | undefined => {
  const hmac = settings.hmac;
  if (hmac === undefined) return undefined;
  const segments = compileTemplate(hmac.payload || '{body}');
  return {
    header: hmac.header.toLowerCase(),
    ...(hmac.timestampHeader ? { timestampHeader: hmac.timestampHeader.toLowerCase() } : {}),
    algorithm: hmac.algorithm,
    encoding: hmac.encoding,
    prefix: hmac.prefix,
    digestBytes: DIGEST_BYTES[hmac.algorithm],
    segments,
    usesTimestamp: segments.includes('timestamp'),
  };
});

/**
 * The generic scheme for providers hookguard has no preset for: the header named in `hmac.header`
 * carries `prefix` + the digest (hex or base64) of the payload template, where `{body}` is the raw
 * body and `{timestamp}` the value of `hmac.timestampHeader`. The prefix is matched exactly (case
 * included): it is part of what the provider documents. When a timestamp header is configured it is
 * required and enforced against the tolerance, since a signed time that is not checked protects
 * nothing.
 *
 * Reasons: missing settings, a missing header, a wrong prefix, or a digest of the wrong length or
 * alphabet is `signature`; a missing timestamp header is `signature` too (the delivery is
 * incomplete); a timestamp that is not plain Unix seconds, or a valid signature outside the
 * tolerance, is `timestamp`.
 */
export function verifyHmac(request: SignedRequest, settings: SchemeSettings, nowSeconds: number): VerifyResult {
  const compiled = compiledOf(settings);
  if (compiled === undefined) return BAD_SIGNATURE;
  const header = headerValue(request.headers, compiled.header);
  if (header === undefined || !header.startsWith(compiled.prefix)) return BAD_SIGNATURE;
  const digestText = header.slice(compiled.prefix.length);
  const presented = compiled.encoding === 'hex' ? decodeHex(digestText, compiled.digestBytes) : decodeBase64(digestText, compiled.digestBytes);
  if (presented === undefined) return BAD_SIGNATURE;

  let timestampText = '';
  let timestamp: number | undefined;
  if (compiled.timestampHeader !== undefined) {
    timestampText = headerValue(request.headers, compiled.timestampHeader) ?? '';
    if (timestampText === '') return BAD_SIGNATURE;
    timestamp = parseUnixSeconds(timestampText);
    if (timestamp === undefined) return BAD_TIMESTAMP;
  } else if (compiled.usesTimestamp) {
    // Config refuses this combination; without a header there is nothing to put in {timestamp}.
    return BAD_SIGNATURE;
  }

  const signed = compiled.segments.map((segment) => (segment === 'body' ? request.body : segment === 'timestamp' ? timestampText : segment.text));
  if (!matchesAnyKey(utf8Keys(settings), [presented], (key) => hmacDigest(compiled.algorithm, key, signed))) return BAD_SIGNATURE;
  if (timestamp === undefined) return VERIFIED;
  return withinTolerance(timestamp, nowSeconds, settings.toleranceSeconds) ? VERIFIED : BAD_TIMESTAMP;
}

/** None: the generic scheme knows no provider's delivery id header. */
export function hmacDeliveryId(): string | undefined {
  return undefined;
}

function hmacSettingsProblems(settings: SchemeSettings): readonly string[] {
  const hmac = settings.hmac;
  if (hmac === undefined) return ['hmac settings are required: {header, algorithm, encoding}'];
  const problems: string[] = [];
  const segments = compileTemplate(hmac.payload || '{body}');
  if (!segments.includes('body')) problems.push('the payload template must contain {body}');
  if (segments.includes('timestamp') && !hmac.timestampHeader) problems.push('the payload template uses {timestamp} but no timestampHeader is set');
  return problems;
}

export const hmac: ProviderScheme = {
  verify: verifyHmac,
  deliveryId: hmacDeliveryId,
  settingsProblems: hmacSettingsProblems,
};
