import type { SchemeSettings } from './types.js';

/**
 * Caches what a scheme derives from its settings (key buffers, parsed public keys, URL variants) so
 * that it is built once per hook, not once per request. Keyed weakly by the settings object, which
 * the gateway builds once at start and keeps; a new settings object simply builds anew.
 */
export function memoizePerSettings<T>(build: (settings: SchemeSettings) => T): (settings: SchemeSettings) => T {
  const cache = new WeakMap<SchemeSettings, T>();
  return (settings) => {
    let value = cache.get(settings);
    if (value === undefined) {
      value = build(settings);
      cache.set(settings, value);
    }
    return value;
  };
}
