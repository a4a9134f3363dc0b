import { diffLines } from './diff-lines.js';

/** What the YAML library changes on lines it did not mean to: runs of spaces, as before a `# comment`. */
function spacing(line: string): string {
  return line.replace(/(\S)\s+/g, '$1 ').trimEnd();
}

/**
 * Puts back the input's own spelling of lines that the YAML library re-rendered with different
 * spacing only (`name: web      # why` comes out as `name: web # why`), so a diff shows what the
 * injection changed and nothing else. Within each changed block, an added line is swapped for a
 * removed one that differs from it only in spacing, and an added blank line (the library puts one
 * before a document's last comment) is dropped: the injected nodes never contain one. The caller
 * checks that the result still reads back as the same data.
 */
export function restoreSourceLines(source: string, rendered: string): string {
  const edits = diffLines(source.split('\n'), rendered.split('\n'));
  const lines: string[] = [];
  let removed: string[] = [];
  for (const edit of edits) {
    if (edit.op === 'equal') removed = [];
    if (edit.op === 'delete') {
      removed.push(edit.line);
      continue;
    }
    if (edit.op === 'insert') {
      if (edit.line.trim() === '') continue;
      const match = removed.findIndex((line) => spacing(line) === spacing(edit.line));
      if (match !== -1) {
        // A CRLF input's `\r` is not put back: the rendered document uses `\n` throughout.
        lines.push(removed[match]!.replace(/\r$/, ''));
        // Later added lines pair with later removed lines only, keeping the order of the input.
        removed = removed.slice(match + 1);
        continue;
      }
    }
    lines.push(edit.line);
  }
  return lines.join('\n');
}
