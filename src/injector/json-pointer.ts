/**
 * Builds an RFC 6901 JSON Pointer. `~` and `/` inside a token must be escaped (`~0`, `~1`), in
 * that order, or `hookguard.io/status` would address a nested `status` under `hookguard.io`.
 */
export function jsonPointer(tokens: readonly (string | number)[]): string {
  return tokens.map((token) => `/${String(token).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}
