import type { BodyChunks } from './types.js';

const EMPTY = Buffer.alloc(0);

/**
 * The body in one buffer: its only chunk as is (no copy), or the chunks copied once into a new
 * buffer. For the readers that cannot take it in pieces; hashing never needs it.
 */
export function joinBody(body: BodyChunks): Buffer {
  if (body.length === 1) return body[0]!;
  if (body.length === 0) return EMPTY;
  return Buffer.concat(body);
}

/** The body's length in bytes. */
export function bodyLength(body: BodyChunks): number {
  let length = 0;
  for (const chunk of body) length += chunk.length;
  return length;
}
