import type { Problems } from './problems.js';
import type { Timeouts } from './types.js';
import { DEFAULT_TIMEOUTS } from './defaults.js';
import { checkKeys, isObject, readInteger } from './shape.js';

const KEYS: Record<keyof Timeouts, string> = {
  upstreamConnectMs: 'upstreamConnectSeconds',
  upstreamMs: 'upstreamSeconds',
  headersMs: 'headersSeconds',
  requestMs: 'requestSeconds',
  keepAliveMs: 'keepAliveSeconds',
  shutdownMs: 'shutdownSeconds',
};

/** `timeouts`: every value in whole seconds; absent keys take DEFAULT_TIMEOUTS. */
export function validateTimeouts(value: unknown, at: string, problems: Problems): Timeouts {
  if (value === undefined) return DEFAULT_TIMEOUTS;
  if (!isObject(value)) {
    problems.add(at, `must be a mapping of ${Object.values(KEYS).join(', ')}`);
    return DEFAULT_TIMEOUTS;
  }
  checkKeys(value, Object.values(KEYS), at, problems);
  const out: Record<string, number> = { ...DEFAULT_TIMEOUTS };
  for (const [field, key] of Object.entries(KEYS)) {
    const seconds = readInteger(value, key, at, problems, 1, 3_600);
    if (seconds !== undefined) out[field] = seconds * 1000;
  }
  return out as unknown as Timeouts;
}
