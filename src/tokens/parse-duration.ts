const UNIT_MS = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** Longest grace accepted: a year. Longer is a token that never really ends. */
const MAX_MS = 366 * UNIT_MS.d;

/**
 * `30s`, `15m`, `24h`, `7d` (a whole number and one unit) in milliseconds; undefined for anything
 * else, so the caller can name the accepted forms. `0s` is allowed: previous tokens end at once.
 */
export function parseDuration(text: string): number | undefined {
  const match = /^(\d{1,6})([smhd])$/.exec(text.trim());
  if (!match) return undefined;
  const ms = Number(match[1]) * UNIT_MS[match[2] as keyof typeof UNIT_MS];
  return ms <= MAX_MS ? ms : undefined;
}
