import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { diffLines, type LineEdit } from '../../src/inject/diff-lines.js';
import { formatUnifiedDiff } from '../../src/inject/format-unified-diff.js';
import { applyUnifiedDiff } from './apply-unified-diff.js';

function sides(edits: readonly LineEdit[]): { before: string[]; after: string[] } {
  return {
    before: edits.filter((e) => e.op !== 'insert').map((e) => e.line),
    after: edits.filter((e) => e.op !== 'delete').map((e) => e.line),
  };
}

/** The textbook recursion, for small inputs: what the table must agree with. */
function lcsLength(a: readonly string[], b: readonly string[]): number {
  const memo = new Map<string, number>();
  const go = (i: number, j: number): number => {
    if (i === a.length || j === b.length) return 0;
    const key = `${i},${j}`;
    if (!memo.has(key)) memo.set(key, a[i] === b[j] ? go(i + 1, j + 1) + 1 : Math.max(go(i + 1, j), go(i, j + 1)));
    return memo.get(key)!;
  };
  return go(0, 0);
}

const lines = fc.array(fc.constantFrom('a', 'b', 'c', '- name: x', ''), { maxLength: 12 });

describe('diffLines', () => {
  it('marks an added block as inserted and keeps everything else equal', () => {
    assert.deepEqual(diffLines(['a', 'b', 'c'], ['a', 'b', 'x', 'y', 'c']), [
      { op: 'equal', line: 'a' },
      { op: 'equal', line: 'b' },
      { op: 'insert', line: 'x' },
      { op: 'insert', line: 'y' },
      { op: 'equal', line: 'c' },
    ]);
  });

  it('puts a removed line before the line that replaces it, as diff -u does', () => {
    assert.deepEqual(diffLines(['a', 'http', 'c'], ['a', 'app-http', 'c']), [
      { op: 'equal', line: 'a' },
      { op: 'delete', line: 'http' },
      { op: 'insert', line: 'app-http' },
      { op: 'equal', line: 'c' },
    ]);
  });

  it('rebuilds both sides from its edits, for any input', () => {
    fc.assert(
      fc.property(lines, lines, (before, after) => {
        assert.deepEqual(sides(diffLines(before, after)), { before, after });
      }),
    );
  });

  it('keeps a longest common subsequence equal, for any input', () => {
    fc.assert(
      fc.property(lines, lines, (before, after) => {
        const equal = diffLines(before, after).filter((e) => e.op === 'equal').length;
        assert.equal(equal, lcsLength(before, after));
      }),
    );
  });

  it('still gives a correct diff when the changed middle is too big for the table', () => {
    const before = Array.from({ length: 6000 }, (_, i) => `old ${i}`);
    const after = Array.from({ length: 6000 }, (_, i) => `new ${i}`);
    assert.deepEqual(sides(diffLines(['head', ...before, 'tail'], ['head', ...after, 'tail'])), {
      before: ['head', ...before, 'tail'],
      after: ['head', ...after, 'tail'],
    });
  });
});

describe('formatUnifiedDiff', () => {
  const names = { from: 'app.yaml', to: 'app.yaml' };

  it('writes a header and one hunk with three lines of context and the document label', () => {
    const before = 'a\nb\nc\nd\ne\nf\ng\n';
    const after = 'a\nb\nc\nd\nX\nf\ng\n';
    assert.equal(
      formatUnifiedDiff([{ label: 'document 1 (Pod p)', before, after }], names),
      '--- app.yaml\n+++ app.yaml\n@@ -2,6 +2,6 @@ document 1 (Pod p)\n b\n c\n d\n-e\n+X\n f\n g\n',
    );
  });

  it('numbers lines across documents and never matches a line of one document with another', () => {
    const sections = [
      { label: 'document 1', before: 'kind: ConfigMap\n', after: 'kind: ConfigMap\n' },
      { label: 'document 2 (Pod p)', before: '---\nkind: Pod\n', after: '---\nkind: Pod\nadded: 1\n' },
    ];
    assert.equal(formatUnifiedDiff(sections, names), '--- app.yaml\n+++ app.yaml\n@@ -1,3 +1,4 @@ document 2 (Pod p)\n kind: ConfigMap\n ---\n kind: Pod\n+added: 1\n');
  });

  it('splits changes more than six lines apart into two hunks, and merges closer ones', () => {
    const before = Array.from({ length: 20 }, (_, i) => `${i}\n`).join('');
    const far = before.replace('2\n', 'two\n').replace('12\n', 'twelve\n');
    const near = before.replace('2\n', 'two\n').replace('8\n', 'eight\n');
    assert.equal((formatUnifiedDiff([{ label: 'd', before, after: far }], names).match(/^@@/gm) ?? []).length, 2);
    assert.equal((formatUnifiedDiff([{ label: 'd', before, after: near }], names).match(/^@@/gm) ?? []).length, 1);
  });

  it('marks a last line without a newline', () => {
    const diff = formatUnifiedDiff([{ label: 'd', before: 'a\nb', after: 'a\nb\nc\n' }], names);
    assert.equal(diff, '--- app.yaml\n+++ app.yaml\n@@ -1,2 +1,3 @@ d\n a\n-b\n\\ No newline at end of file\n+b\n+c\n');
  });

  it('is empty when nothing changed', () => {
    assert.equal(formatUnifiedDiff([{ label: 'd', before: 'a\n', after: 'a\n' }], names), '');
  });

  it('applies as a patch to the input, for any edit of any input', () => {
    const text = fc.array(fc.constantFrom('a\n', 'b\n', 'c\n', 'd\n', '\n'), { maxLength: 30 }).map((l) => l.join(''));
    fc.assert(
      fc.property(text, text, (before, after) => {
        assert.equal(applyUnifiedDiff(before, formatUnifiedDiff([{ label: 'd', before, after }], names)), after);
      }),
    );
  });
});
