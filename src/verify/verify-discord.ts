import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import type { ProviderScheme, SchemeSettings, SignedRequest, VerifyResult } from './types.js';
import { BAD_SIGNATURE, BAD_TIMESTAMP, VERIFIED } from './types.js';
import { headerValue } from './header-value.js';
import { decodeHex } from './decode-hex.js';
import { parseUnixSeconds } from './parse-unix-seconds.js';
import { withinTolerance } from './within-tolerance.js';
import { memoizePerSettings } from './memoize-per-settings.js';

// DER SubjectPublicKeyInfo header for an Ed25519 key (RFC 8410): SEQUENCE { SEQUENCE { OID
// 1.3.101.112 }, BIT STRING (33 bytes, no unused bits) }, followed by the 32 raw key bytes.
const ED25519_SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');

/** An Ed25519 public key from the 64 hex characters Discord shows as "Public Key", or undefined. */
function ed25519PublicKey(hex: string): KeyObject | undefined {
  const raw = decodeHex(hex.trim(), 32);
  if (raw === undefined) return undefined;
  try {
    return createPublicKey({ key: Buffer.concat([ED25519_SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
  } catch {
    return undefined;
  }
}

const keysOf = memoizePerSettings((settings) =>
  Object.freeze(settings.secrets.map(ed25519PublicKey).filter((key): key is KeyObject => key !== undefined)),
);

/**
 * Discord-style Ed25519 (discord.com/developers/docs/interactions/receiving-and-responding,
 * "Security and Authorization"): X-Signature-Ed25519 is the hex Ed25519
 * signature of `${X-Signature-Timestamp}${body}` (no separator), checked against the application's
 * public key, configured as the hook's secret (several while a key is replaced). Discord asks
 * receivers to refuse bad signatures and probes endpoints with invalid ones. Discord states no
 * window for the timestamp; the hook's tolerance applies, in both directions, as for every scheme
 * that signs a time.
 *
 * Reasons: a missing header or a signature that is not 128 hex characters is `signature`; a
 * timestamp that is not plain digits, or a valid signature outside the tolerance, is `timestamp`.
 */
export function verifyDiscord(request: SignedRequest, settings: SchemeSettings, nowSeconds: number): VerifyResult {
  const header = headerValue(request.headers, 'x-signature-ed25519');
  const timestampText = headerValue(request.headers, 'x-signature-timestamp');
  if (header === undefined || !timestampText) return BAD_SIGNATURE;
  const signature = decodeHex(header, 64);
  if (signature === undefined) return BAD_SIGNATURE;
  const timestamp = parseUnixSeconds(timestampText);
  if (timestamp === undefined) return BAD_TIMESTAMP;
  // Ed25519 verifies one message in one piece, so this one copy of the body cannot be avoided.
  const message = Buffer.concat([Buffer.from(timestampText, 'utf8'), ...request.body]);
  let matched = false;
  for (const key of keysOf(settings)) {
    if (verifyQuietly(message, key, signature)) matched = true;
  }
  if (!matched) return BAD_SIGNATURE;
  return withinTolerance(timestamp, nowSeconds, settings.toleranceSeconds) ? VERIFIED : BAD_TIMESTAMP;
}

// OpenSSL rejects some byte strings (a non-canonical point, for one) with an error rather than a
// false; to a receiver that is just another signature that does not verify.
function verifyQuietly(message: Buffer, key: KeyObject, signature: Buffer): boolean {
  try {
    return verifySignature(null, message, key, signature);
  } catch {
    return false;
  }
}

/**
 * None. Interactions are answered in the same request and not retried, and Discord-style senders
 * share no delivery id header; the signed timestamp bounds replays.
 */
export function discordDeliveryId(): string | undefined {
  return undefined;
}

function discordSettingsProblems(settings: SchemeSettings): readonly string[] {
  const problems: string[] = [];
  settings.secrets.forEach((secret, index) => {
    if (ed25519PublicKey(secret) === undefined) {
      problems.push(`secret ${index + 1} is not an Ed25519 public key: expected 64 hex characters (the application's "Public Key")`);
    }
  });
  return problems;
}

export const discord: ProviderScheme = {
  verify: verifyDiscord,
  deliveryId: discordDeliveryId,
  settingsProblems: discordSettingsProblems,
};
