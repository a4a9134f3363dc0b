import type { Problems } from './problems.js';
import type { HmacSettings } from '../verify/types.js';
import { keyPath } from './key-path.js';
import { checkKeys, isObject, readEnum, readString } from './shape.js';

/** The generic `hmac` scheme's settings: {header, algorithm, encoding, prefix, timestampHeader, payload}. */
export function validateHmac(value: unknown, at: string, problems: Problems): HmacSettings | undefined {
  if (!isObject(value)) {
    problems.add(at, 'must be {header, algorithm: sha1|sha256|sha512, encoding: hex|base64, prefix, timestampHeader, payload}');
    return undefined;
  }
  checkKeys(value, ['header', 'algorithm', 'encoding', 'prefix', 'timestampHeader', 'payload'], at, problems);
  const header = readString(value, 'header', at, problems, true);
  const algorithm = readEnum(value, 'algorithm', at, problems, ['sha1', 'sha256', 'sha512'] as const) ?? 'sha256';
  const encoding = readEnum(value, 'encoding', at, problems, ['hex', 'base64'] as const) ?? 'hex';
  const prefix = value.prefix === '' ? '' : readString(value, 'prefix', at, problems) ?? '';
  const timestampHeader = readString(value, 'timestampHeader', at, problems);
  const payload = readString(value, 'payload', at, problems) ?? (timestampHeader ? '{timestamp}.{body}' : '{body}');
  if (!payload.includes('{body}')) problems.add(keyPath(at, 'payload'), 'must contain {body}: a signature that does not cover the body proves nothing');
  if (payload.includes('{timestamp}') && !timestampHeader) problems.add(keyPath(at, 'timestampHeader'), 'is required when payload contains {timestamp}');
  if (!header) return undefined;
  return {
    header: header.toLowerCase(),
    algorithm,
    encoding,
    prefix,
    ...(timestampHeader ? { timestampHeader: timestampHeader.toLowerCase() } : {}),
    payload,
  };
}
