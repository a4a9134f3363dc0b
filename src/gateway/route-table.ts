import type { CompiledHook } from './compiled-hook.js';

export interface RouteMatch {
  readonly hook: CompiledHook;
  /** The last path segment when the hook takes a URL token (PATH/<token>); '' when it is missing. */
  readonly token?: string;
}

export interface RouteTable {
  match(path: string): RouteMatch | undefined;
  readonly hooks: readonly CompiledHook[];
}

/**
 * Exact-path routing in O(1): a Map from path to hook, and for token hooks from PATH to hook with
 * the last segment taken as the token. @koa/router walks a list of regular expressions per request,
 * which grows with the number of hooks; webhook paths are fixed strings, so a Map does the same job
 * at constant cost (the admin server, with three routes, uses @koa/router).
 */
export function buildRouteTable(hooks: readonly CompiledHook[]): RouteTable {
  const exact = new Map<string, CompiledHook>();
  for (const hook of hooks) exact.set(hook.config.path, hook);
  return {
    hooks,
    match(path: string): RouteMatch | undefined {
      const direct = exact.get(path);
      if (direct) return direct.config.token === undefined ? { hook: direct } : { hook: direct, token: '' };
      const cut = path.lastIndexOf('/');
      if (cut <= 0) return undefined;
      const parent = exact.get(path.slice(0, cut));
      if (!parent || parent.config.token === undefined) return undefined;
      return { hook: parent, token: path.slice(cut + 1) };
    },
  };
}
