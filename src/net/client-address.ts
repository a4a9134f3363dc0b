import type { Address } from './normalize-address.js';
import { normalizeAddress } from './normalize-address.js';
import type { SourceMatcher } from './source-matcher.js';

/**
 * The address a request came from, as far as it can be trusted.
 *
 * X-Forwarded-For is a list anyone can write to; each proxy appends the peer it saw. Only entries
 * appended by proxies we trust are believed, so the list is walked from the right: while the hop
 * we are looking at is a trusted proxy, the entry to its left is what it saw. The first untrusted
 * hop is the client. A peer that is not a trusted proxy is the client, whatever it claims.
 * An entry that is not an address stops the walk at the last trusted hop: a trusted proxy wrote
 * nothing there, so whoever did is not believed.
 */
export function clientAddress(
  peer: string | Address | undefined,
  forwardedFor: string | string[] | undefined,
  trustedProxies: SourceMatcher | undefined,
): Address | undefined {
  let current = typeof peer === 'string' || peer === undefined ? normalizeAddress(peer) : peer;
  if (!current || !trustedProxies || trustedProxies.size === 0 || forwardedFor === undefined) return current;
  if (!trustedProxies.matches(current)) return current;
  const entries = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
  for (let i = entries.length - 1; i >= 0; i--) {
    const hop = normalizeAddress(entries[i]);
    if (!hop) return current;
    current = hop;
    if (!trustedProxies.matches(current)) return current;
  }
  return current;
}
