import type { ToStringOptions } from 'yaml';

function mostVoted(votes: ReadonlyMap<number, number>, fallback: number): number {
  let best = fallback;
  let bestCount = 0;
  for (const [value, count] of votes) {
    if (count > bestCount || (count === bestCount && value < best)) [best, bestCount] = [value, count];
  }
  return best;
}

function withoutComment(line: string): string {
  return line.replace(/\s+#.*$/, '');
}

/**
 * Guesses how a document was written, so that writing a changed document back changes only what
 * the injection changed: kubectl's `- name:` flush with its key or the indented `  - name:`, the
 * indent width, and `{a: 1}` or `{ a: 1 }`. A guess from the text: the YAML library keeps comments
 * and scalar styles, but not these. Lines are never folded (`lineWidth: 0`): folding would rewrap
 * long strings the injection never touched.
 */
export function detectYamlStyle(source: string): ToStringOptions {
  const lines = source.split(/\r?\n/).filter((line) => line.trim() !== '' && !line.trimStart().startsWith('#'));
  const indents = new Map<number, number>();
  let flushSequences = 0;
  let indentedSequences = 0;
  for (const [i, line] of lines.entries()) {
    const next = lines[i + 1];
    if (next === undefined || !/:$/.test(withoutComment(line))) continue;
    // `- env:` opens a block at the key, two columns right of its dash.
    const opener = /^( *)((?:- +)*)/.exec(line)!;
    const keyColumn = opener[1]!.length + opener[2]!.length;
    const nextColumn = /^ */.exec(next)![0].length;
    if (/^ *-( |$)/.test(next)) {
      if (nextColumn === keyColumn) flushSequences += 1;
      else if (nextColumn > keyColumn) indentedSequences += 1;
    } else if (nextColumn > keyColumn) {
      indents.set(nextColumn - keyColumn, (indents.get(nextColumn - keyColumn) ?? 0) + 1);
    }
  }
  const padded = source.match(/[[{] [^\]}\s]/g)?.length ?? 0;
  const tight = source.match(/[[{][^\]}\s]/g)?.length ?? 0;
  return {
    indent: mostVoted(indents, 2),
    indentSeq: indentedSequences >= flushSequences,
    flowCollectionPadding: padded > tight,
    lineWidth: 0,
  };
}
