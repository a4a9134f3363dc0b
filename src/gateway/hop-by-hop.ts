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

/** Header names listed in a Connection header are hop-by-hop too. */
export function connectionListed(connection: string | string[] | undefined): Set<string> {
  const listed = new Set<string>();
  if (connection === undefined) return listed;
  for (const part of (Array.isArray(connection) ? connection.join(',') : connection).split(',')) {
    const name = part.trim().toLowerCase();
    if (name) listed.add(name);
  }
  return listed;
}
