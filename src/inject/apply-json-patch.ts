import { isObject } from '../config/shape.js';
import type { PatchOperation } from '../injector/render-patch.js';
import { decodeJsonPointer } from './decode-json-pointer.js';

/**
 * A copy that shares nothing. structuredClone keeps shared references, and data read from YAML
 * shares one object wherever an alias points to an anchor: a change meant for one place would
 * show up at the other.
 */
function copy(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(copy);
  if (isObject(value) && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, child]) => [key, copy(child)]));
  }
  return value;
}

function fail(op: PatchOperation, why: string): never {
  throw new TypeError(`applyJsonPatch: ${op.op} ${op.path}: ${why}`);
}

function listIndex(op: PatchOperation, list: readonly unknown[], token: string): number {
  if (token === '-' && op.op === 'add') return list.length;
  if (!/^(0|[1-9]\d*)$/.test(token)) fail(op, `${JSON.stringify(token)} is not a list index`);
  const index = Number(token);
  if (index > list.length || (op.op === 'replace' && index === list.length)) fail(op, `index ${index} is past the end`);
  return index;
}

/**
 * Applies the injector's RFC 6902 operations (`add` and `replace`) to a copy of plain data. It gives
 * the data the webhook's answer makes of the pod, which the YAML edits must read back as. A path
 * that does not resolve is a bug (the patch was rendered from this very data), hence a TypeError.
 */
export function applyJsonPatch(document: unknown, ops: readonly PatchOperation[]): unknown {
  const holder: { root: unknown } = { root: copy(document) };
  for (const op of ops) {
    const tokens = decodeJsonPointer(op.path);
    const value = copy(op.value);
    if (tokens.length === 0) {
      holder.root = value;
      continue;
    }
    let parent: unknown = holder.root;
    for (const token of tokens.slice(0, -1)) {
      if (Array.isArray(parent)) parent = parent[listIndex({ ...op, op: 'replace' }, parent, token)];
      else if (isObject(parent) && Object.hasOwn(parent, token)) parent = parent[token];
      else fail(op, `nothing at ${JSON.stringify(token)}`);
    }
    const last = tokens.at(-1)!;
    if (Array.isArray(parent)) {
      const index = listIndex(op, parent, last);
      parent.splice(index, op.op === 'add' ? 0 : 1, value);
    } else if (isObject(parent)) {
      if (op.op === 'replace' && !Object.hasOwn(parent, last)) fail(op, `nothing at ${JSON.stringify(last)} to replace`);
      parent[last] = value;
    } else {
      fail(op, 'the parent is not a mapping or a list');
    }
  }
  return holder.root;
}
