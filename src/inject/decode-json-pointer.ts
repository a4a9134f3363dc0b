/**
 * Splits an RFC 6901 JSON Pointer into its tokens: the inverse of the injector's jsonPointer.
 * `~1` is undone before `~0`, or `~01` (a literal `~1`) would become `/`.
 */
export function decodeJsonPointer(pointer: string): string[] {
  if (pointer === '') return [];
  if (!pointer.startsWith('/')) throw new TypeError(`decodeJsonPointer: ${JSON.stringify(pointer)} does not start with "/"`);
  return pointer
    .slice(1)
    .split('/')
    .map((token) => token.replaceAll('~1', '/').replaceAll('~0', '~'));
}
