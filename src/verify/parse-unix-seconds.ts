// Ten digits reach 2286; twelve leave room without letting an exponent or a sign through.
const UNIX_SECONDS = /^[0-9]{1,12}$/;

/**
 * A Unix time in whole seconds, written as plain decimal digits, or undefined. Number() and
 * parseInt() accept "1e9", " 12", "0x1f" and "12abc"; a signed timestamp is compared as the
 * provider wrote it, so only the one spelling every provider uses is accepted.
 */
export function parseUnixSeconds(text: string): number | undefined {
  return UNIX_SECONDS.test(text) ? Number(text) : undefined;
}
