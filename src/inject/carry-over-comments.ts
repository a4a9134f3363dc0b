import { isMap, isScalar, isSeq, type Node, type Pair } from 'yaml';

function keyOf(pair: Pair): unknown {
  return isScalar(pair.key) ? pair.key.value : pair.key;
}

/**
 * Copies comments, blank lines and scalar quoting from the parsed document's nodes onto a document
 * rebuilt from data, wherever both have a node at the same place (mappings matched by key, lists
 * by index). A rebuilt document then loses its anchors but little else.
 */
export function carryOverComments(from: unknown, to: Node): void {
  if (!isMap(from) && !isSeq(from) && !isScalar(from)) return;
  to.commentBefore ??= from.commentBefore;
  to.comment ??= from.comment;
  to.spaceBefore ??= from.spaceBefore;
  if (isScalar(from) && isScalar(to)) {
    if (from.value === to.value) to.type = from.type;
    return;
  }
  if (isMap(from) && isMap(to)) {
    for (const pair of to.items) {
      const source = from.items.find((candidate) => keyOf(candidate) === keyOf(pair));
      if (source === undefined) continue;
      if (isScalar(source.key) && isScalar(pair.key)) carryOverComments(source.key, pair.key);
      if (pair.value !== null && typeof pair.value === 'object') carryOverComments(source.value, pair.value as Node);
    }
    return;
  }
  if (isSeq(from) && isSeq(to)) {
    for (const [i, item] of to.items.entries()) {
      if (item !== null && typeof item === 'object') carryOverComments(from.items[i], item as Node);
    }
  }
}
