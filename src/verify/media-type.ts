import type { IncomingHttpHeaders } from 'node:http';
import { headerValue } from './header-value.js';

/** The request's media type, lower-case, without parameters (`application/json; charset=utf-8` → `application/json`). */
export function mediaType(headers: IncomingHttpHeaders): string | undefined {
  const value = headerValue(headers, 'content-type');
  if (value === undefined) return undefined;
  const semicolon = value.indexOf(';');
  return (semicolon === -1 ? value : value.slice(0, semicolon)).trim().toLowerCase();
}
