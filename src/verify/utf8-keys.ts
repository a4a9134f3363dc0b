import type { SchemeSettings } from './types.js';
import { memoizePerSettings } from './memoize-per-settings.js';

const keysOf = memoizePerSettings((settings) => Object.freeze(settings.secrets.map((secret) => Buffer.from(secret, 'utf8'))));

/** The active secrets as HMAC keys, used exactly as written (UTF-8 bytes), built once per settings object. */
export function utf8Keys(settings: SchemeSettings): readonly Buffer[] {
  return keysOf(settings);
}
