const HEX = /^[0-9a-fA-F]*$/;

/**
 * Decodes a hex digest of exactly `byteLength` bytes, or undefined. Buffer.from(text, 'hex') stops
 * silently at the first bad character, so a garbled signature would turn into a shorter buffer;
 * the length is checked before the pattern so an attacker's long header costs nothing. Letter case
 * is accepted either way: it carries no information, and providers differ.
 */
export function decodeHex(text: string, byteLength: number): Buffer | undefined {
  if (text.length !== byteLength * 2 || !HEX.test(text)) return undefined;
  return Buffer.from(text, 'hex');
}
