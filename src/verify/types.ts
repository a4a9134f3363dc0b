import type { IncomingHttpHeaders } from 'node:http';

/** Every provider scheme hookguard verifies; the `provider` config key takes one of these. */
export const PROVIDERS = [
  'github',
  'gitlab',
  'stripe',
  'slack',
  'shopify',
  'twilio',
  'standard',
  'discord',
  'hmac',
  'none',
] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/**
 * A body's exact bytes as the chunks they arrived in: in order, their concatenation is the body
 * (none for an empty body). A large body arrives in many chunks, each in a buffer of its own;
 * keeping them spares a copy into one buffer and half the memory per body (small chunks are packed
 * together as they arrive: gateway/collect-body.ts). Readers that hash the
 * body feed the chunks one by one; the few that need it in one piece (JSON, form parameters,
 * Ed25519) call joinBody (join-body.ts), which copies only when there is more than one chunk.
 */
export type BodyChunks = readonly Buffer[];

/** What a verifier sees of a request: the raw bytes, never a parsed body. */
export interface SignedRequest {
  /** The exact body bytes as received. Signatures are computed over these, never over a re-serialisation. */
  readonly body: BodyChunks;
  /** Node's header object: lower-case names; repeated headers joined by Node's rules. */
  readonly headers: IncomingHttpHeaders;
  /** Path and query as the provider called it, with the URL token already removed. */
  readonly url: string;
  /**
   * The URL token the request came with, when the hook has one. Only schemes that sign the URL
   * itself read it (twilio: the provider called PATH/<token>, and signed that URL).
   */
  readonly urlToken?: string;
}

export type HmacAlgorithm = 'sha1' | 'sha256' | 'sha512';
export type HmacEncoding = 'hex' | 'base64';

/** The generic `hmac` scheme's settings (config key `hmac`). */
export interface HmacSettings {
  readonly header: string;
  readonly algorithm: HmacAlgorithm;
  readonly encoding: HmacEncoding;
  /** Text before the digest in the header, for example `sha256=`. */
  readonly prefix: string;
  /** Header carrying a Unix timestamp that is part of the signed payload. */
  readonly timestampHeader?: string;
  /** Signed payload template: `{timestamp}` and `{body}` are replaced; default `{body}`. */
  readonly payload: string;
}

/** Everything a scheme needs besides the request, resolved once at start. */
export interface SchemeSettings {
  /** Active secrets, oldest last or first: all are tried (rotation overlap). */
  readonly secrets: readonly string[];
  /** For schemes that sign a timestamp: how far from now it may be, in both directions. */
  readonly toleranceSeconds: number;
  /** twilio: the URL the provider called (scheme, host, path), which the sidecar cannot see behind a proxy. */
  readonly publicUrl?: string;
  readonly hmac?: HmacSettings;
}

export type VerifyFailure = 'signature' | 'timestamp';
export type VerifyResult = { readonly ok: true } | { readonly ok: false; readonly reason: VerifyFailure };

export const VERIFIED: VerifyResult = Object.freeze({ ok: true });
export const BAD_SIGNATURE: VerifyResult = Object.freeze({ ok: false, reason: 'signature' });
export const BAD_TIMESTAMP: VerifyResult = Object.freeze({ ok: false, reason: 'timestamp' });

/** A provider's scheme: pure functions, no I/O, never throwing on request data. */
export interface ProviderScheme {
  /** Checks the request against every active secret. A mismatch is a value, never an exception. */
  verify(request: SignedRequest, settings: SchemeSettings, nowSeconds: number): VerifyResult;
  /**
   * The provider's delivery id, for replay protection; undefined when the request carries none.
   * Called only after `verify` succeeded, so it may read the (now authentic) body.
   */
  deliveryId(request: SignedRequest): string | undefined;
  /**
   * True when deliveryId reads headers only, so the id is known before the body is read and the
   * replay claim can ride on the same Redis round trip as the rate limits.
   */
  readonly deliveryIdInHeaders?: boolean;
  /**
   * Problems with settings this scheme cannot use (a secret that is not a key, a missing publicUrl),
   * one sentence each, for config validation at start. A scheme whose settings cannot be wrong
   * beyond what config already checks leaves it out. `verify` never throws on such settings: a
   * secret it cannot use simply never matches.
   */
  settingsProblems?(settings: SchemeSettings): readonly string[];
}
