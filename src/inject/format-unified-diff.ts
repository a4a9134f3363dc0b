import { diffLines, type LineEdit } from './diff-lines.js';

export interface DiffSection {
  /** Shown after each hunk's `@@ ... @@`, as `diff -p` shows the function: `document 2 (Deployment shop/web)`. */
  readonly label: string;
  readonly before: string;
  readonly after: string;
}

export interface DiffNames {
  readonly from: string;
  readonly to: string;
}

const CONTEXT_LINES = 3;

/** Lines with their `\n`, so that a last line without one differs from the same line with one. */
function splitLines(text: string): string[] {
  return text.match(/[^\n]*\n|[^\n]+$/g) ?? [];
}

interface Edit extends LineEdit {
  readonly section: number;
}

function show(prefix: string, line: string): string {
  return line.endsWith('\n') ? `${prefix}${line}` : `${prefix}${line}\n\\ No newline at end of file\n`;
}

function range(start: number, count: number): string {
  // Unified diff numbers lines from 1; an empty side names the line before it.
  return `${count === 0 ? start : start + 1},${count}`;
}

/**
 * A unified diff of the whole stream (`--- from`, `+++ to`, `@@ -l,n +l,n @@`), so the line
 * numbers are the file's own and `patch -p0` applies it. Sections are diffed one by one: an
 * unchanged document is all context, and no line is ever matched across two documents.
 */
export function formatUnifiedDiff(sections: readonly DiffSection[], names: DiffNames): string {
  const edits: Edit[] = [];
  for (const [section, { before, after }] of sections.entries()) {
    const lines = before === after ? splitLines(before).map((line): LineEdit => ({ op: 'equal', line })) : diffLines(splitLines(before), splitLines(after));
    for (const edit of lines) edits.push({ ...edit, section });
  }
  const changed = edits.flatMap((edit, k) => (edit.op === 'equal' ? [] : [k]));
  if (changed.length === 0) return '';

  const hunks: { start: number; end: number }[] = [];
  for (const k of changed) {
    const last = hunks.at(-1);
    if (last !== undefined && k - CONTEXT_LINES <= last.end) last.end = Math.min(edits.length, k + CONTEXT_LINES + 1);
    else hunks.push({ start: Math.max(0, k - CONTEXT_LINES), end: Math.min(edits.length, k + CONTEXT_LINES + 1) });
  }

  const out = [`--- ${names.from}\n`, `+++ ${names.to}\n`];
  let edit = 0;
  let oldLine = 0;
  let newLine = 0;
  for (const hunk of hunks) {
    for (; edit < hunk.start; edit += 1) {
      if (edits[edit]!.op !== 'insert') oldLine += 1;
      if (edits[edit]!.op !== 'delete') newLine += 1;
    }
    const body = edits.slice(hunk.start, hunk.end);
    const oldCount = body.filter((e) => e.op !== 'insert').length;
    const newCount = body.filter((e) => e.op !== 'delete').length;
    const label = sections[body.find((e) => e.op !== 'equal')!.section]!.label;
    out.push(`@@ -${range(oldLine, oldCount)} +${range(newLine, newCount)} @@ ${label}\n`);
    for (const e of body) out.push(show(e.op === 'equal' ? ' ' : e.op === 'delete' ? '-' : '+', e.line));
    oldLine += oldCount;
    newLine += newCount;
    edit = hunk.end;
  }
  return out.join('');
}
