import { compileSourceMatcher } from '../net/source-matcher.js';

/**
 * Compiled pieces that hooks with the same settings share, for one config load: a header pattern
 * or a CIDR list written the same way in 1,000 hooks is compiled once. Beside the memory, a request
 * path that touches one RegExp and one matcher instead of one per hook keeps them hot in the CPU's
 * caches and in V8's (a regular expression is interpreted until it has run often enough to be
 * compiled to native code, and that count is kept per RegExp object).
 *
 * Sharing is safe: the patterns are used with `test()` and no global or sticky flag (no lastIndex),
 * and a matcher is immutable.
 */
export class SharedCompilations {
  private readonly patterns = new Map<string, RegExp>();
  private readonly matchers = new Map<string, ReturnType<typeof compileSourceMatcher>>();

  /** `new RegExp(source)`, once per source; throws like it on an invalid pattern. */
  pattern(source: string): RegExp {
    let found = this.patterns.get(source);
    if (!found) {
      found = new RegExp(source);
      this.patterns.set(source, found);
    }
    return found;
  }

  /** compileSourceMatcher, once per list written the same way. */
  sources(cidrs: readonly string[]): ReturnType<typeof compileSourceMatcher> {
    const key = cidrs.join('\n');
    let found = this.matchers.get(key);
    if (!found) {
      found = compileSourceMatcher(cidrs);
      this.matchers.set(key, found);
    }
    return found;
  }
}
