import ipaddr from 'ipaddr.js';

export type Address = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * Parses an address as Node reports it. An IPv4-mapped IPv6 address (`::ffff:10.0.0.1`, what a
 * dual-stack socket reports for IPv4 peers) becomes the IPv4 address, so one allowlist entry
 * `10.0.0.0/8` matches both forms. Returns undefined for anything that is not an address.
 */
export function normalizeAddress(text: string | undefined): Address | undefined {
  if (!text) return undefined;
  let candidate = text.trim();
  // X-Forwarded-For entries sometimes carry brackets or a zone id; neither is part of the address.
  if (candidate.startsWith('[') && candidate.endsWith(']')) candidate = candidate.slice(1, -1);
  if (!ipaddr.isValid(candidate)) return undefined;
  const parsed = ipaddr.parse(candidate);
  if (parsed.kind() === 'ipv6' && (parsed as ipaddr.IPv6).isIPv4MappedAddress()) {
    return (parsed as ipaddr.IPv6).toIPv4Address();
  }
  return parsed;
}
