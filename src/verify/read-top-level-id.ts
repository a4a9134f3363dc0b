import type { BodyChunks } from './types.js';
import { joinBody } from './join-body.js';

// Stripe writes "id" first ({"id": "evt_...", "object": "event", ...}); reading it from the first
// bytes avoids parsing a large event. Only plain id characters are taken here: anything escaped
// falls through to the full parse, which decides.
const LEADING_ID = /^\s*\{\s*"id"\s*:\s*"([A-Za-z0-9_.:-]{1,255})"/;
const HEAD_BYTES = 512;

/**
 * The top-level `"id"` string of a JSON object body, or undefined (not JSON, not an object, no
 * string id, or an id longer than 255 characters: never a real event id, and it would become a
 * state-store key). Only called on a body whose signature was already verified.
 */
export function readTopLevelId(body: BodyChunks): string | undefined {
  // The head of the first chunk: a first chunk shorter than the id's end cannot match, and falls
  // through to the full parse.
  const first = body[0];
  const fast = first === undefined ? null : LEADING_ID.exec(first.toString('latin1', 0, Math.min(first.length, HEAD_BYTES)));
  if (fast) return fast[1];
  let parsed: unknown;
  try {
    parsed = JSON.parse(joinBody(body).toString('utf8'));
  } catch {
    return undefined;
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
  const id = (parsed as { id?: unknown }).id;
  return typeof id === 'string' && id.length > 0 && id.length <= 255 ? id : undefined;
}
