import { createHash } from 'node:crypto';
import type { BodyChunks, HmacAlgorithm, ProviderScheme, SchemeSettings, SignedRequest, VerifyResult } from './types.js';
import { BAD_SIGNATURE, VERIFIED } from './types.js';
import { headerValue } from './header-value.js';
import { decodeBase64 } from './decode-base64.js';
import { decodeHex } from './decode-hex.js';
import { safeEqual } from './safe-equal.js';
import { mediaType } from './media-type.js';
import { hmacDigest } from './hmac-digest.js';
import { utf8Keys } from './utf8-keys.js';
import { memoizePerSettings } from './memoize-per-settings.js';
import { bodyLength, joinBody } from './join-body.js';

const FORM = 'application/x-www-form-urlencoded';
const DIGEST_BYTES: Readonly<Partial<Record<HmacAlgorithm, number>>> = { sha1: 20, sha256: 32 };

/**
 * The URLs Twilio may have signed: the configured publicUrl as written, and with the default port
 * added or removed. Twilio's own libraries try both, because depending on the product Twilio signs
 * `https://host/...` or `https://host:443/...` for the same configured URL. A non-default port is
 * taken as written (twilio-node would also try it without the port, which would let a delivery
 * signed for port 443 pass at another port of the same host).
 */
function signedUrlBases(publicUrl: string | undefined): readonly string[] {
  if (!publicUrl) return [];
  const match = /^(https?):\/\/([^/?#]*)(.*)$/i.exec(publicUrl);
  if (!match) return [publicUrl];
  const [, scheme = '', authority = '', rest = ''] = match;
  const at = authority.lastIndexOf('@');
  const userInfo = authority.slice(0, at + 1);
  const hostPort = authority.slice(at + 1);
  // A colon starts the port only after the closing bracket of an IPv6 literal.
  const colon = hostPort.indexOf(':', hostPort.lastIndexOf(']') + 1);
  const host = colon === -1 ? hostPort : hostPort.slice(0, colon);
  const port = colon === -1 ? '' : hostPort.slice(colon);
  const defaultPort = scheme.toLowerCase() === 'https' ? ':443' : ':80';
  if (port !== '' && port !== defaultPort) return [publicUrl];
  const prefix = `${scheme}://${userInfo}${host}`;
  return [prefix + rest, prefix + defaultPort + rest];
}

const basesOf = memoizePerSettings((settings) => Object.freeze(signedUrlBases(settings.publicUrl)));

/** SHA-256 of the body, chunk by chunk. */
function sha256(body: BodyChunks): Buffer {
  const hash = createHash('sha256');
  for (const chunk of body) hash.update(chunk);
  return hash.digest();
}

/**
 * `key + value` of every form parameter, keys sorted, repeated keys' distinct values sorted, no
 * separators (twilio.com/docs/usage/webhooks/webhooks-security, "Validating signatures", and
 * twilio-node's getExpectedTwilioSignature for repeated keys). Values are compared decoded, as
 * Twilio signs them; order and percent-encoding of the body are not signed, only the parameters.
 */
function sortedFormParameters(body: Buffer): string {
  const params = new URLSearchParams(body.toString('utf8'));
  const keys = [...new Set(params.keys())].sort();
  let out = '';
  for (const key of keys) {
    for (const value of [...new Set(params.getAll(key))].sort()) out += key + value;
  }
  return out;
}

/** The query as received, `?` included, fragment excluded: byte for byte what Twilio signed. */
function rawQuery(url: string): string {
  const question = url.indexOf('?');
  if (question === -1) return '';
  const hash = url.indexOf('#', question);
  return hash === -1 ? url.slice(question) : url.slice(question, hash);
}

/**
 * Webhooks Rules may sign with a SharedKey and HMAC-SHA256 and then say so in
 * X-Twilio-Webhooks-Signature-Settings (`key=...,algorithm=HMAC_SHA256`); without the header it is
 * the Auth Token and HMAC-SHA1 (twilio-node, examples/WebhookSignatureValidation.md). The header is
 * not signed, but choosing between two sound MACs gives a forger nothing; an unknown algorithm is
 * refused.
 */
function signatureAlgorithm(settingsHeader: string | undefined): HmacAlgorithm | undefined {
  if (settingsHeader === undefined) return 'sha1';
  for (const part of settingsHeader.split(',')) {
    const equals = part.indexOf('=');
    if (equals === -1 || part.slice(0, equals).trim() !== 'algorithm') continue;
    const name = part.slice(equals + 1).trim().toUpperCase();
    return name === 'HMAC_SHA1' || name === '' ? 'sha1' : name === 'HMAC_SHA256' ? 'sha256' : undefined;
  }
  return 'sha1';
}

/**
 * Twilio (twilio.com/docs/usage/webhooks/webhooks-security): X-Twilio-Signature is the base64
 * HMAC-SHA1, under the Auth Token, of the full URL Twilio called followed by the POST parameters.
 * The URL is the one the provider called, which the sidecar cannot see behind a proxy or ingress
 * (scheme, host and path may all differ): it is `publicUrl` (scheme, host and path, as configured
 * in Twilio, without the URL token), then `/<token>` when the hook has a URL token, then the query
 * of the request as received, unchanged, since Twilio appends its own parameters to the query and
 * signs it byte for byte.
 *
 * Form bodies (application/x-www-form-urlencoded, what Twilio sends by default) are signed through
 * their sorted parameters. JSON bodies are not: Twilio then adds `bodySHA256` (hex SHA-256 of the
 * body) to the query, signs the URL alone, and the body must hash to that value. A body that is
 * neither is refused, so the app never receives bytes this check did not cover. Twilio signs no
 * timestamp; the idempotency token catches replays.
 */
export function verifyTwilio(request: SignedRequest, settings: SchemeSettings): VerifyResult {
  const header = headerValue(request.headers, 'x-twilio-signature');
  const algorithm = signatureAlgorithm(headerValue(request.headers, 'x-twilio-webhooks-signature-settings'));
  if (header === undefined || algorithm === undefined) return BAD_SIGNATURE;
  const presented = decodeBase64(header, DIGEST_BYTES[algorithm] ?? 0);
  const bases = basesOf(settings);
  if (presented === undefined || bases.length === 0) return BAD_SIGNATURE;

  // With a URL token Twilio called PATH/<token>; publicUrl holds the path without it (secrets are
  // never written in the config), so the token is put back here.
  const tokenPath = request.urlToken ? `/${request.urlToken}` : '';
  const query = rawQuery(request.url);
  const bodyHashes = new URLSearchParams(query).getAll('bodySHA256');
  let parameters = '';
  if (bodyHashes.length > 0) {
    const claimed = bodyHashes.length === 1 ? decodeHex(bodyHashes[0] ?? '', 32) : undefined;
    if (claimed === undefined || !safeEqual(claimed, sha256(request.body))) return BAD_SIGNATURE;
  } else if (bodyLength(request.body) > 0) {
    if (mediaType(request.headers) !== FORM) return BAD_SIGNATURE;
    parameters = sortedFormParameters(joinBody(request.body));
  }

  // Every key against every URL spelling, all computed, so timing tells nothing about which matched.
  let matched = false;
  for (const key of utf8Keys(settings)) {
    for (const base of bases) {
      if (safeEqual(hmacDigest(algorithm, key, [base, tokenPath, query, parameters]), presented)) matched = true;
    }
  }
  return matched ? VERIFIED : BAD_SIGNATURE;
}

/**
 * I-Twilio-Idempotency-Token: Twilio sends the same token on every retry of one webhook request
 * (twilio.com/docs/usage/webhooks/webhooks-connection-overrides, retries), and a new one for each
 * new request, so it is exactly the delivery id.
 */
export function twilioDeliveryId(request: SignedRequest): string | undefined {
  return headerValue(request.headers, 'i-twilio-idempotency-token') || undefined;
}

function twilioSettingsProblems(settings: SchemeSettings): readonly string[] {
  const url = settings.publicUrl;
  if (!url) return ['publicUrl is required: the URL Twilio calls (scheme, host and path), as configured in Twilio'];
  if (!/^https?:\/\/[^/?#]+/i.test(url)) return ['publicUrl must be an absolute http(s) URL'];
  if (url.includes('?') || url.includes('#')) {
    return ['publicUrl must not contain a query or a fragment: the query is taken from each request as received'];
  }
  return [];
}

export const twilio: ProviderScheme = {
  verify: verifyTwilio,
  deliveryId: twilioDeliveryId,
  deliveryIdInHeaders: true,
  settingsProblems: twilioSettingsProblems,
};
