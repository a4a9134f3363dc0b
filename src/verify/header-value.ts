import type { IncomingHttpHeaders } from 'node:http';

/** One header's value as a single string; a repeated header (an array) counts as absent, never guessed at. */
export function headerValue(headers: IncomingHttpHeaders, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' ? value : undefined;
}
