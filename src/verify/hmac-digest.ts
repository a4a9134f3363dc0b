import { createHmac } from 'node:crypto';
import type { BodyChunks, HmacAlgorithm } from './types.js';

/**
 * HMAC of the concatenation of `parts`, fed one by one so that a body of a megabyte is never copied
 * to build `${timestamp}.${body}`. A part is a string (hashed as UTF-8, as every provider signs
 * them), a buffer, or a body's chunks, each chunk fed in turn.
 */
export function hmacDigest(algorithm: HmacAlgorithm, key: Buffer, parts: readonly (string | Buffer | BodyChunks)[]): Buffer {
  const hmac = createHmac(algorithm, key);
  for (const part of parts) {
    if (typeof part === 'string' || Buffer.isBuffer(part)) hmac.update(part);
    else for (const chunk of part) hmac.update(chunk);
  }
  return hmac.digest();
}
