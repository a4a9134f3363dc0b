import { isCollection, isMap, isNode, isScalar, isSeq, visit, type Document, type Node, type Pair } from 'yaml';
import type { PatchOperation } from '../injector/render-patch.js';
import { decodeJsonPointer } from './decode-json-pointer.js';
import { NEW_NODE_OPTIONS } from './manifest-yaml-options.js';

export type YamlEdit = { readonly ok: true } | { readonly ok: false; readonly reason: string };

const DONE: YamlEdit = Object.freeze({ ok: true });

function refuse(op: PatchOperation, why: string): YamlEdit {
  return { ok: false, reason: `${op.op} ${op.path}: ${why}` };
}

function pairOf(map: { items: Pair[] }, key: string): Pair | undefined {
  return map.items.find((pair) => isScalar(pair.key) && pair.key.value === key);
}

function aliasedAnchors(document: Document): Set<string> {
  const names = new Set<string>();
  visit(document, { Alias: (_, alias) => void names.add(alias.source) });
  return names;
}

/**
 * The node under `token`, or why it cannot be edited in place. A node whose anchor an alias uses is
 * shared with that alias, so editing it would change both; an alias or a merge key (`<<`) hides
 * the real node. Either way the caller writes the document from its data instead.
 */
function child(node: unknown, token: string, shared: ReadonlySet<string>): { readonly node: Node } | { readonly why: string } {
  let found: unknown;
  if (isMap(node)) found = pairOf(node, token)?.value;
  else if (isSeq(node) && /^(0|[1-9]\d*)$/.test(token)) found = node.items[Number(token)];
  if (!isNode(found)) return { why: `no node at ${JSON.stringify(token)} (an alias or a merge key?)` };
  if (!isCollection(found) && !isScalar(found)) return { why: `${JSON.stringify(token)} is an alias` };
  if (found.anchor !== undefined && shared.has(found.anchor)) return { why: `${JSON.stringify(token)} has the anchor &${found.anchor}` };
  return { node: found };
}

function isData(value: unknown): boolean {
  return typeof value === 'object' && value !== null;
}

/**
 * Applies one `add` or `replace` to the YAML nodes themselves, so every node the patch does not
 * touch keeps its comments, key order and quoting. A scalar replaced by a scalar keeps its style.
 * A collection added inside flow collections (`volumes: []`, `spec: {...}`) turns those on its
 * path into block style, or the whole sidecar would be written on one line.
 */
function applyOne(document: Document, op: PatchOperation, shared: ReadonlySet<string>): YamlEdit {
  const tokens = decodeJsonPointer(op.path);
  const last = tokens.pop();
  if (last === undefined) return refuse(op, 'the patch replaces the whole document');
  let parent: unknown = document.contents;
  if (!isCollection(parent) || (parent.anchor !== undefined && shared.has(parent.anchor))) return refuse(op, 'the document root is not a plain collection');
  const path: unknown[] = [parent];
  for (const token of tokens) {
    const next = child(parent, token, shared);
    if ('why' in next) return refuse(op, next.why);
    parent = next.node;
    path.push(parent);
  }
  if (isData(op.value)) {
    for (const node of path) if (isCollection(node)) node.flow = false;
  }
  const newNode = () => document.createNode(op.value, NEW_NODE_OPTIONS);

  if (isMap(parent)) {
    const pair = pairOf(parent, last);
    if (pair === undefined && op.op === 'replace') return refuse(op, 'nothing to replace');
    if (pair === undefined) parent.items.push(document.createPair(last, newNode()));
    else if (isScalar(pair.value) && !isData(op.value) && !shared.has(pair.value.anchor ?? '')) pair.value.value = op.value;
    else pair.value = newNode();
    return DONE;
  }
  if (isSeq(parent)) {
    const index = last === '-' ? parent.items.length : /^(0|[1-9]\d*)$/.test(last) ? Number(last) : Number.NaN;
    const end = op.op === 'add' ? parent.items.length : parent.items.length - 1;
    if (!(index <= end)) return refuse(op, `${JSON.stringify(last)} is not an index of the list`);
    const existing = parent.items[index];
    if (op.op === 'replace' && isScalar(existing) && !isData(op.value) && !shared.has(existing.anchor ?? '')) existing.value = op.value;
    else parent.items.splice(index, op.op === 'add' ? 0 : 1, newNode());
    return DONE;
  }
  return refuse(op, 'the parent is not a mapping or a list');
}

/** Applies the injector's patch to a parsed YAML document in place; stops at the first refusal. */
export function patchYamlDocument(document: Document, ops: readonly PatchOperation[]): YamlEdit {
  const shared = aliasedAnchors(document);
  for (const op of ops) {
    const edit = applyOne(document, op, shared);
    if (!edit.ok) return edit;
  }
  return DONE;
}
