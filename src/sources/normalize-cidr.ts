import ipaddr from 'ipaddr.js';

// Broader than any provider's webhook fleet: a list that contains one was not meant as an allowlist.
const MIN_PREFIX = { ipv4: 8, ipv6: 24 } as const;

export type CidrResult = { readonly ok: true; readonly cidr: string } | { readonly ok: false; readonly reason: string };

/**
 * One entry of a published list as a normalised CIDR (network address and prefix; a bare address
 * becomes /32 or /128), or why it cannot be one. Besides the syntax (IPv4 in four-part decimal
 * only: ipaddr.js also reads "0x7f.1"), the range must be public unicast and not wider than /8
 * (IPv6: /24): a provider list holding 10.0.0.0/8 or 0.0.0.0/0 is broken or tampered with, and
 * taking it would open the hook to everyone.
 */
export function normalizeCidr(entry: string): CidrResult {
  const text = entry.trim();
  const slash = text.indexOf('/');
  const address = slash === -1 ? text : text.slice(0, slash);
  const isV4 = ipaddr.IPv4.isValidFourPartDecimal(address);
  if (!isV4 && (!ipaddr.IPv6.isValid(address) || address.includes('%'))) return { ok: false, reason: `"${entry}" is not an IP address or CIDR range` };
  const maxBits = isV4 ? 32 : 128;
  const prefixText = slash === -1 ? String(maxBits) : text.slice(slash + 1);
  if (!/^[0-9]{1,3}$/.test(prefixText)) return { ok: false, reason: `"${entry}" has no valid prefix length` };
  const bits = Number(prefixText);
  if (bits > maxBits) return { ok: false, reason: `"${entry}" has a prefix longer than ${maxBits}` };
  const kind = isV4 ? 'ipv4' : 'ipv6';
  if (bits < MIN_PREFIX[kind]) return { ok: false, reason: `"${entry}" is wider than /${MIN_PREFIX[kind]}` };
  const network = isV4 ? ipaddr.IPv4.networkAddressFromCIDR(`${address}/${bits}`) : ipaddr.IPv6.networkAddressFromCIDR(`${address}/${bits}`);
  if (network.range() !== 'unicast') return { ok: false, reason: `"${entry}" is not a public unicast range (${network.range()})` };
  return { ok: true, cidr: `${network.toString()}/${bits}` };
}
