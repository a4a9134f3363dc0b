import { createHash } from 'node:crypto';

/**
 * How hookguard stores a URL token in Redis (src/state/token-set.ts hashToken): hex SHA-256. Kept
 * here rather than imported so the bench runs against any build in dist/ without reaching into src/.
 */
export function hashTokenForBench(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}
