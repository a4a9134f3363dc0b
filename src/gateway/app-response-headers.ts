import type { GatewayContext } from './context.js';
import { HOP_BY_HOP } from './hop-by-hop.js';

/**
 * Copies the app's response headers, minus hop-by-hop ones and any Access-Control-* header: the
 * sidecar never grants a browser anything, whatever the app says.
 */
export function copyAppHeaders(headers: Record<string, string | string[] | undefined>, ctx: GatewayContext): void {
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined || HOP_BY_HOP.has(name) || name.startsWith('access-control-')) continue;
    ctx.set(name, value);
  }
}
