/**
 * An alert expression is empty while everything is healthy, so "it returns data" cannot be checked
 * on the expression itself. The rule files keep to one form, `SIGNAL OP THRESHOLD`, or several of
 * those joined by `and` / `or` / `unless`; this splits an expression into the signals to evaluate:
 * each side of every top-level comparison, except a side that is a plain number.
 *
 * "Top level" means outside (), [] and {} and outside quotes; a comparison's `bool` modifier and
 * `on(...)`/`ignoring(...)` matching go with the operator.
 */

const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Calls `visit(i)` for each index of `text` that is at depth 0 and outside quotes. */
function forTopLevel(text: string, visit: (i: number) => number | void): void {
  let depth = 0;
  let quote: string | undefined;
  for (let i = 0; i < text.length; i += 1) {
    const c = text[i]!;
    if (quote) {
      if (c === '\\') i += 1;
      else if (c === quote) quote = undefined;
      continue;
    }
    if (c === '"' || c === "'" || c === '`') quote = c;
    else if ('([{'.includes(c)) depth += 1;
    else if (')]}'.includes(c)) depth -= 1;
    else if (depth === 0) {
      const skip = visit(i);
      if (typeof skip === 'number') i = skip;
    }
  }
}

/** Splits on top-level `and`, `or`, `unless` (with any `on(...)`/`ignoring(...)` after them). */
export function splitSetOperators(expr: string): string[] {
  const parts: string[] = [];
  let start = 0;
  forTopLevel(expr, (i) => {
    const match = /^(and|or|unless)\b(\s*(on|ignoring)\s*\([^)]*\))?/.exec(expr.slice(i));
    if (!match || (i > 0 && /[\w:]/.test(expr[i - 1]!))) return;
    parts.push(expr.slice(start, i));
    start = i + match[0].length;
    return start - 1;
  });
  parts.push(expr.slice(start));
  return parts.map((p) => p.trim()).filter(Boolean);
}

/** The two sides of the top-level comparison of `expr`, or [expr] when it has none. */
export function splitComparison(expr: string): string[] {
  let found: { at: number; length: number } | undefined;
  forTopLevel(expr, (i) => {
    if (found) return;
    const match = /^(==|!=|>=|<=|>|<)(\s*bool\b)?(\s*(on|ignoring)\s*\([^)]*\)(\s*(group_left|group_right)(\s*\([^)]*\))?)?)?/.exec(expr.slice(i));
    if (match) found = { at: i, length: match[0].length };
  });
  if (!found) return [expr.trim()];
  return [expr.slice(0, found.at).trim(), expr.slice(found.at + found.length).trim()];
}

/** Every signal of an alert expression: what must return data for the alert to be able to fire. */
export function signalsOf(expr: string): string[] {
  return splitSetOperators(expr)
    .flatMap(splitComparison)
    .filter((side) => !NUMBER.test(side));
}
