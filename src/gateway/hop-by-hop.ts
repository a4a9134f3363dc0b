/**
 * Headers that describe one connection, not the message (RFC 9110 section 7.6.1), plus those a proxy
 * must recompute. They are never forwarded in either direction.
 */
export const HOP_BY_HOP: ReadonlySet<string> = new Set([
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
  'content-length',
]);

const NONE: ReadonlySet<string> = new Set();

/**
 * Header names listed in a Connection header are hop-by-hop too. Nearly every message says only
 * `keep-alive` or `close`, which name no header: that answer is shared, not built.
 */
export function connectionListed(connection: string | readonly string[] | undefined): ReadonlySet<string> {
  if (connection === undefined) return NONE;
  const value = typeof connection === 'string' ? connection : connection.length === 1 ? connection[0]! : undefined;
  if (value !== undefined && (value.length === 10 || value.length === 5)) {
    const lower = value.toLowerCase();
    if (lower === 'keep-alive' || lower === 'close') return NONE;
  }
  const listed = new Set<string>();
  for (const part of (typeof connection === 'string' ? connection : connection.join(',')).split(',')) {
    const name = part.trim().toLowerCase();
    if (name) listed.add(name);
  }
  return listed;
}
