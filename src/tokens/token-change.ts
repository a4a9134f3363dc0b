/** What a `tokens` command or a replica announces on the token channel. */
export interface TokenChange {
  readonly hook: string;
  readonly event: 'rotated' | 'revoked' | 'seeded';
  /** The id (hash prefix) of the token added or removed. */
  readonly id: string;
}

const EVENTS: ReadonlySet<string> = new Set(['rotated', 'revoked', 'seeded']);

export function encodeTokenChange(change: TokenChange): string {
  return JSON.stringify({ hook: change.hook, event: change.event, id: change.id });
}

/** A message from the channel, or undefined when it is not one of ours. */
export function parseTokenChange(message: string): TokenChange | undefined {
  let value: unknown;
  try {
    value = JSON.parse(message);
  } catch {
    return undefined;
  }
  if (typeof value !== 'object' || value === null) return undefined;
  const { hook, event, id } = value as Record<string, unknown>;
  if (typeof hook !== 'string' || typeof event !== 'string' || !EVENTS.has(event) || typeof id !== 'string') return undefined;
  return { hook, event: event as TokenChange['event'], id };
}
