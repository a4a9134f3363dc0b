import type { HookConfig } from '../config/types.js';
import type { TokenBook } from '../gateway/gateway-deps.js';
import { TokenSet, hashToken } from './token-set.js';

/** Without Redis, each hook's token set is its configured token, kept as a hash. */
export function createStaticTokenBook(hooks: readonly HookConfig[], now: () => number = Date.now): TokenBook {
  const sets = new Map<string, TokenSet>();
  for (const hook of hooks) {
    if (hook.token !== undefined) sets.set(hook.name, new TokenSet([{ hash: hashToken(hook.token), expiresAt: 0, createdAt: now() }], now));
  }
  return { tokensOf: (hook) => sets.get(hook) };
}
