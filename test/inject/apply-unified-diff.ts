/**
 * Applies a unified diff the way `patch` does, strictly: every context and removed line must be
 * where the hunk header says. Tests use it to prove that `--diff` output is a real, applicable diff.
 */
export function applyUnifiedDiff(original: string, diff: string): string {
  const source = original.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  const lines = diff.match(/[^\n]*\n|[^\n]+$/g) ?? [];
  if (lines.length === 0) return original;
  if (!lines[0]?.startsWith('--- ') || !lines[1]?.startsWith('+++ ')) throw new Error('no --- / +++ header');
  const out: string[] = [];
  let at = 0;
  let i = 2;
  while (i < lines.length) {
    const header = /^@@ -(\d+),(\d+) \+(\d+),(\d+) @@/.exec(lines[i]!);
    if (header === null) throw new Error(`expected a hunk header, got ${JSON.stringify(lines[i])}`);
    const [oldStart, oldCount] = [Number(header[1]), Number(header[2])];
    const start = oldCount === 0 ? oldStart : oldStart - 1;
    if (start < at) throw new Error('hunks overlap or go backwards');
    out.push(...source.slice(at, start));
    at = start;
    i += 1;
    let previous: { kind: string; index: number } | undefined;
    while (i < lines.length && !lines[i]!.startsWith('@@')) {
      const line = lines[i]!;
      if (line.startsWith('\\')) {
        // "\ No newline at end of file": the line before it had no newline.
        if (previous === undefined) throw new Error('a no-newline marker without a line');
        if (previous.kind === '+') out[previous.index] = out[previous.index]!.replace(/\n$/, '');
        i += 1;
        continue;
      }
      const kind = line[0]!;
      const text = line.slice(1);
      const expectOld = (noNewline: boolean): void => {
        const want = noNewline ? text.replace(/\n$/, '') : text;
        if (source[at] !== want) throw new Error(`line ${at + 1}: expected ${JSON.stringify(want)}, found ${JSON.stringify(source[at])}`);
      };
      const noNewline = lines[i + 1]?.startsWith('\\') === true;
      if (kind === ' ' || kind === '-') {
        expectOld(noNewline);
        if (kind === ' ') out.push(source[at]!);
        at += 1;
      } else if (kind === '+') {
        out.push(text);
      } else {
        throw new Error(`bad diff line ${JSON.stringify(line)}`);
      }
      previous = { kind, index: out.length - 1 };
      i += 1;
    }
  }
  out.push(...source.slice(at));
  return out.join('');
}
