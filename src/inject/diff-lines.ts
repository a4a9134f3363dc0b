export interface LineEdit {
  readonly op: 'equal' | 'delete' | 'insert';
  readonly line: string;
}

/**
 * Past this many cells the LCS table would cost hundreds of megabytes; the changed middle is then
 * shown as removed and added whole, which is still a correct diff, just not the shortest.
 */
const MAX_TABLE_CELLS = 25_000_000;

/**
 * A line diff by longest common subsequence. The common head and tail are taken off first: an
 * injection adds blocks of lines and renames a few, so what is left for the table is small.
 * Deletions come before insertions where both are possible, as in `diff -u`.
 */
export function diffLines(before: readonly string[], after: readonly string[]): LineEdit[] {
  let head = 0;
  while (head < before.length && head < after.length && before[head] === after[head]) head += 1;
  let tail = 0;
  while (tail < before.length - head && tail < after.length - head && before[before.length - 1 - tail] === after[after.length - 1 - tail]) tail += 1;
  const a = before.slice(head, before.length - tail);
  const b = after.slice(head, after.length - tail);

  const middle: LineEdit[] = [];
  if ((a.length + 1) * (b.length + 1) > MAX_TABLE_CELLS) {
    for (const line of a) middle.push({ op: 'delete', line });
    for (const line of b) middle.push({ op: 'insert', line });
  } else {
    // lcs[i * width + j]: the length of the longest common subsequence of a[i..] and b[j..].
    const width = b.length + 1;
    const lcs = new Uint32Array((a.length + 1) * width);
    for (let i = a.length - 1; i >= 0; i -= 1) {
      for (let j = b.length - 1; j >= 0; j -= 1) {
        lcs[i * width + j] = a[i] === b[j] ? lcs[(i + 1) * width + j + 1]! + 1 : Math.max(lcs[(i + 1) * width + j]!, lcs[i * width + j + 1]!);
      }
    }
    let i = 0;
    let j = 0;
    while (i < a.length || j < b.length) {
      if (i < a.length && j < b.length && a[i] === b[j]) {
        middle.push({ op: 'equal', line: a[i]! });
        i += 1;
        j += 1;
      } else if (j === b.length || (i < a.length && lcs[(i + 1) * width + j]! >= lcs[i * width + j + 1]!)) {
        middle.push({ op: 'delete', line: a[i]! });
        i += 1;
      } else {
        middle.push({ op: 'insert', line: b[j]! });
        j += 1;
      }
    }
  }
  return [
    ...before.slice(0, head).map((line): LineEdit => ({ op: 'equal', line })),
    ...middle,
    ...before.slice(before.length - tail).map((line): LineEdit => ({ op: 'equal', line })),
  ];
}
