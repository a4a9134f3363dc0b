import { randomBytes } from 'node:crypto';

/**
 * A new URL token: 32 random bytes (256 bits) in base64url, 43 characters of [A-Za-z0-9_-], so it
 * fits the contract's alphabet and minimum length and needs no escaping in a URL path.
 */
export function generateToken(): string {
  return randomBytes(32).toString('base64url');
}
