import type { ClaimResult } from './store.js';

interface Entry {
  done: boolean;
  expiresAt: number;
}

/**
 * Replay records of one replica. Bounded: under a flood of distinct ids the oldest records are
 * dropped first (a Map keeps insertion order), so memory stays flat; the bound is far above any
 * provider's real delivery rate times the TTL of a small deployment.
 */
export class MemoryReplayLog {
  private readonly entries = new Map<string, Entry>();

  constructor(
    private readonly maxEntries = 100_000,
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.entries.size;
  }

  claim(key: string, inFlightSeconds: number): ClaimResult {
    const now = this.now();
    const entry = this.entries.get(key);
    if (entry && entry.expiresAt > now) return entry.done ? 'done' : 'in_flight';
    if (entry) this.entries.delete(key);
    this.insert(key, { done: false, expiresAt: now + inFlightSeconds * 1000 });
    return 'claimed';
  }

  settle(key: string, accepted: boolean, ttlSeconds: number): void {
    this.entries.delete(key);
    if (accepted) this.insert(key, { done: true, expiresAt: this.now() + ttlSeconds * 1000 });
  }

  private insert(key: string, entry: Entry): void {
    if (this.entries.size >= this.maxEntries) this.evict();
    this.entries.set(key, entry);
  }

  /** Drops expired entries; if none were, the oldest tenth. */
  private evict(): void {
    const now = this.now();
    for (const [key, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(key);
    if (this.entries.size < this.maxEntries) return;
    let drop = Math.ceil(this.maxEntries / 10);
    for (const key of this.entries.keys()) {
      if (drop-- <= 0) break;
      this.entries.delete(key);
    }
  }
}
