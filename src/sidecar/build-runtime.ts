import type { SidecarConfig } from '../config/types.js';
import type { Runtime } from '../gateway/gateway-deps.js';
import { compileHook } from '../gateway/compiled-hook.js';
import { buildRouteTable } from '../gateway/route-table.js';

/** Everything the request path derives from one config version. */
export function buildRuntime(config: SidecarConfig): Runtime {
  return Object.freeze({ config, routes: buildRouteTable(config.hooks.map(compileHook)) });
}
