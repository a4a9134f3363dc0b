import { createHmac } from 'node:crypto';
import type { HmacAlgorithm } from './types.js';

/**
 * HMAC of the concatenation of `parts`, fed one by one so that a body of a megabyte is never copied
 * to build `${timestamp}.${body}`. Strings are hashed as UTF-8, as every provider signs them.
 */
export function hmacDigest(algorithm: HmacAlgorithm, key: Buffer, parts: readonly (string | Buffer)[]): Buffer {
  const hmac = createHmac(algorithm, key);
  for (const part of parts) hmac.update(part);
  return hmac.digest();
}
