import { randomBytes } from 'node:crypto';
import type { PresetShare, SharedPresetList } from '../../sources/preset-share.js';
import type { RedisClient } from './create-redis-client.js';

/**
 * Provider ranges shared through Redis: `PREFIX:{presets}:NAME` holds the last good list as JSON,
 * `PREFIX:{presets}:NAME:lease` who fetches next. One hash tag keeps them in one Cluster slot.
 * The list is validated again by every reader (parsePresetList), so a bad value in Redis can never
 * widen or empty an allowlist.
 */
export function createRedisPresetShare(client: RedisClient, prefix: string): PresetShare {
  const key = (provider: string) => `${prefix}:{presets}:${provider}`;
  const owner = randomBytes(8).toString('hex');
  return {
    async load(provider) {
      const text = await client.get(key(provider));
      if (text === null) return undefined;
      try {
        const value = JSON.parse(text) as Partial<SharedPresetList>;
        if (!Array.isArray(value.cidrs) || typeof value.fetchedAt !== 'number') return undefined;
        return { cidrs: value.cidrs.filter((c): c is string => typeof c === 'string'), fetchedAt: value.fetchedAt };
      } catch {
        return undefined;
      }
    },
    async store(provider, list) {
      await client.set(key(provider), JSON.stringify(list));
    },
    async lease(provider, ttlMs) {
      return (await client.set(`${key(provider)}:lease`, owner, 'PX', ttlMs, 'NX')) === 'OK';
    },
    whenReady(timeoutMs) {
      if (client.status === 'ready') return Promise.resolve();
      return new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          client.removeListener('ready', done);
          resolve();
        };
        const timer = setTimeout(done, timeoutMs);
        timer.unref();
        client.once('ready', done);
      });
    },
  };
}
