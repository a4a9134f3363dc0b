import ipaddr from 'ipaddr.js';
import type { Address } from './normalize-address.js';

type Range = [Address, number];

/** A compiled allowlist of CIDR ranges; IPv4 and IPv6 are kept apart (ipaddr.js throws on a mix). */
export interface SourceMatcher {
  readonly size: number;
  matches(address: Address): boolean;
}

/**
 * Compiles CIDRs (a bare address is a /32 or /128). Returns the problems instead of throwing so
 * that config validation reports each entry with its key path.
 */
export function compileSourceMatcher(cidrs: readonly string[]): { matcher: SourceMatcher; problems: { index: number; message: string }[] } {
  const v4: Range[] = [];
  const v6: Range[] = [];
  const problems: { index: number; message: string }[] = [];
  cidrs.forEach((entry, index) => {
    const text = entry.trim();
    let range: Range;
    try {
      range = text.includes('/') ? ipaddr.parseCIDR(text) : [ipaddr.parse(text), text.includes(':') ? 128 : 32];
    } catch {
      problems.push({ index, message: `"${entry}" is not an IP address or CIDR range` });
      return;
    }
    const [address, bits] = range;
    if (address.kind() === 'ipv6' && (address as ipaddr.IPv6).isIPv4MappedAddress()) {
      // ::ffff:10.0.0.0/104 means 10.0.0.0/8: store it the way normalizeAddress reports peers.
      if (bits < 96) {
        problems.push({ index, message: `"${entry}" covers more than the IPv4-mapped range` });
        return;
      }
      v4.push([(address as ipaddr.IPv6).toIPv4Address(), bits - 96]);
    } else if (address.kind() === 'ipv4') {
      v4.push(range);
    } else {
      v6.push(range);
    }
  });
  const matcher: SourceMatcher = {
    size: v4.length + v6.length,
    matches(address: Address): boolean {
      const ranges = address.kind() === 'ipv4' ? v4 : v6;
      for (const range of ranges) {
        if (address.match(range as [never, number])) return true;
      }
      return false;
    },
  };
  return { matcher, problems };
}
