const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * Decodes standard, padded base64 (RFC 4648 section 4), or undefined. Buffer.from(text, 'base64')
 * skips characters it does not know and accepts base64url, so it is never used on request data
 * unchecked. Only the canonical encoding is accepted (unused low bits zero): every provider encodes
 * that way, and a second spelling of the same bytes is a sign of tampering, not of a real delivery.
 * With `byteLength`, the length is checked before anything else.
 */
export function decodeBase64(text: string, byteLength?: number): Buffer | undefined {
  if (byteLength !== undefined && text.length !== 4 * Math.ceil(byteLength / 3)) return undefined;
  if (!BASE64.test(text)) return undefined;
  const bytes = Buffer.from(text, 'base64');
  if (byteLength !== undefined && bytes.length !== byteLength) return undefined;
  return bytes.toString('base64') === text ? bytes : undefined;
}
