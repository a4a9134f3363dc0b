import type { ClaimResult } from './store.js';

/** Expired records dropped behind the oldest one, at most, per insert at the bound. */
const MAX_DROPS_PER_INSERT = 32;

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
    if (this.entries.size >= this.maxEntries) this.dropOldest();
    this.entries.set(key, entry);
  }

  /**
   * Makes room at the bound: drops the oldest record, then any expired ones right behind it (at
   * most a few dozen), so each insert does a small bounded amount of work. (It used to scan every
   * record and then drop a tenth at once: a stall of several milliseconds every 10,000 inserts
   * under load.) Expired records further in stay until they reach the front or are looked up; a
   * lookup treats them as absent.
   */
  private dropOldest(): void {
    const now = this.now();
    let dropped = 0;
    for (const [key, entry] of this.entries) {
      if (dropped > 0 && (entry.expiresAt > now || dropped >= MAX_DROPS_PER_INSERT)) break;
      this.entries.delete(key);
      dropped++;
    }
  }
}
