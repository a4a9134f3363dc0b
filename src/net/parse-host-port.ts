export interface HostPort {
  readonly host: string;
  readonly port: number;
}

/**
 * Parses `HOST:PORT`, `[IPv6]:PORT` or `:PORT` (all interfaces). Returns a reason string instead of
 * throwing, so config validation can report it with its key path.
 */
export function parseHostPort(text: string): HostPort | string {
  const match = /^(?:\[([0-9a-fA-F:.]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  if (!match) return 'expected HOST:PORT, for example 127.0.0.1:8080';
  const port = Number(match[3]);
  if (port > 65535) return `port ${port} is out of range (0-65535)`;
  const host = match[1] ?? (match[2] === '' ? '0.0.0.0' : match[2]!);
  return { host, port };
}
