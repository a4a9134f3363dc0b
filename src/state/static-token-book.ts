import type { HookConfig } from '../config/types.js';
import type { ManagedTokenBook } from '../gateway/gateway-deps.js';
import { TokenSet, hashToken } from './token-set.js';

/**
 * Without Redis, each hook's token set is its configured token, kept as a hash. A reload replaces
 * the whole map at once; a request sees the old map or the new one, never a mix.
 */
export function createStaticTokenBook(hooks: readonly HookConfig[], now: () => number = Date.now): ManagedTokenBook {
  let sets = build(hooks, now);
  return {
    tokensOf: (hook) => sets.get(hook),
    update: (next) => {
      sets = build(next, now);
    },
    close: async () => {},
  };
}

function build(hooks: readonly HookConfig[], now: () => number): Map<string, TokenSet> {
  const sets = new Map<string, TokenSet>();
  for (const hook of hooks) {
    if (hook.token !== undefined) sets.set(hook.name, new TokenSet([{ hash: hashToken(hook.token), expiresAt: 0, createdAt: now() }], now));
  }
  return sets;
}
