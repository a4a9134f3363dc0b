import type { SidecarConfig } from '../config/types.js';
import type { Runtime } from '../gateway/gateway-deps.js';
import type { Forwarder } from '../gateway/forwarder.js';
import { compileHook } from '../gateway/compiled-hook.js';
import { buildRouteTable } from '../gateway/route-table.js';

/** Everything the request path derives from one config version. */
export function buildRuntime(config: SidecarConfig, forwarder: Forwarder): Runtime {
  return Object.freeze({ config, routes: buildRouteTable(config.hooks.map(compileHook)), forwarder });
}
