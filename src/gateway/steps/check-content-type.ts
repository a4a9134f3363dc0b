import type { GatewayContext } from '../context.js';
import type { GatewayDeps } from '../gateway-deps.js';
import { reject } from '../reject.js';

/**
 * The media type (parameters such as charset ignored) must be one the hook allows. The three types
 * an HTML form can send without a CORS preflight (urlencoded, multipart, text/plain) are refused
 * unless a hook lists one on purpose, which closes the form-post route of CSRF.
 */
export function checkContentType(ctx: GatewayContext, deps: GatewayDeps): boolean {
  const header = ctx.req.headers['content-type'];
  const contentTypes = ctx.state.hook!.contentTypes;
  // The common case, a bare allowed type, costs one lookup.
  if (header !== undefined && contentTypes.has(header)) return true;
  const semicolon = header === undefined ? -1 : header.indexOf(';');
  const type = header === undefined ? '' : (semicolon === -1 ? header : header.slice(0, semicolon)).trim().toLowerCase();
  if (contentTypes.has(type)) return true;
  reject(ctx, deps, 'content_type', { detail: { contentType: type.slice(0, 100) || 'missing' } });
  return false;
}
