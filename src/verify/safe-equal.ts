import { timingSafeEqual } from 'node:crypto';

/**
 * Constant-time comparison of two byte strings. timingSafeEqual throws on unequal lengths, and a
 * length difference tells an attacker nothing they do not already know (digest lengths are public),
 * so the length is checked first and answered as a plain mismatch.
 */
export function safeEqual(a: Buffer, b: Buffer): boolean {
  if (a.length !== b.length) return false;
  return timingSafeEqual(a, b);
}
