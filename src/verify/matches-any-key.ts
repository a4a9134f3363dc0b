import { safeEqual } from './safe-equal.js';

/**
 * True when any presented signature equals the digest under any active key (rotation overlap: the
 * provider may still sign with the old secret, or send one signature per secret). Every pair is
 * compared, even after a match, so the time taken does not tell which key or signature matched.
 */
export function matchesAnyKey<K>(keys: readonly K[], presented: readonly Buffer[], digest: (key: K) => Buffer): boolean {
  let matched = false;
  for (const key of keys) {
    const expected = digest(key);
    for (const candidate of presented) {
      if (safeEqual(candidate, expected)) matched = true;
    }
  }
  return matched;
}
