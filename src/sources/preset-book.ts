import type { SourceMatcher } from '../net/source-matcher.js';
import { compileSourceMatcher } from '../net/source-matcher.js';
import { SOURCE_PRESETS } from './presets.js';

/**
 * The current address ranges of each provider preset: the shipped data until a refresher brings a
 * newer list. Readers get a compiled matcher; an update swaps it whole.
 */
export class PresetBook {
  private readonly matchers = new Map<string, SourceMatcher>();
  private readonly lists = new Map<string, readonly string[]>();

  constructor() {
    for (const [name, preset] of Object.entries(SOURCE_PRESETS)) this.set(name, preset.cidrs);
  }

  matcherOf(name: string): SourceMatcher | undefined {
    return this.matchers.get(name);
  }

  cidrsOf(name: string): readonly string[] | undefined {
    return this.lists.get(name);
  }

  /** Replaces a provider's ranges; returns false when they are the same as before. */
  update(name: string, cidrs: readonly string[]): boolean {
    const before = this.lists.get(name);
    if (before && before.length === cidrs.length && [...cidrs].sort().join() === [...before].sort().join()) return false;
    this.set(name, cidrs);
    return true;
  }

  private set(name: string, cidrs: readonly string[]): void {
    // The lists were validated (shipped data by tests, fetched ones by parsePresetList).
    this.matchers.set(name, compileSourceMatcher(cidrs).matcher);
    this.lists.set(name, cidrs);
  }
}
