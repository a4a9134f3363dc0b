/**
 * When the system was under a fault. A suite marks each fault before it acts and marks it over
 * once the faulty part is back; the system counts as healthy again the fault's `settleMs` later
 * (the sidecar reconnects to Redis with a back-off of up to 2 s; to the app at once).
 *
 * The checks use it to tell "the system failed a delivery it should have taken" (lost) from "the
 * provider gave up while we were breaking things", and the simulator uses it to send a provider's
 * duplicate only where the replay record of the original must still be known.
 */
export class FaultTimeline {
  private readonly windows: { name: string; from: number; to: number | undefined; settleMs: number }[] = [];

  /**
   * Marks a fault as begun; call the returned function once the faulty part is back. `settleMs`:
   * how long after that the system may still feel it (Redis: the sidecar's reconnect back-off).
   */
  begin(name: string, settleMs = 1_000): () => void {
    const window = { name, from: Date.now(), to: undefined as number | undefined, settleMs };
    this.windows.push(window);
    return () => {
      window.to ??= Date.now();
    };
  }

  /** Runs `fn` as one fault window (begun before, over after). */
  async during<T>(name: string, fn: () => Promise<T>, settleMs?: number): Promise<T> {
    const end = this.begin(name, settleMs);
    try {
      return await fn();
    } finally {
      end();
    }
  }

  /** No fault (or its settling time) touches any moment of [from, to]. */
  healthyBetween(from: number, to: number = from): boolean {
    return this.windows.every((w) => to < w.from || from > (w.to ?? Infinity) + w.settleMs);
  }

  healthyNow(): boolean {
    return this.healthyBetween(Date.now());
  }

  /** The faults whose window (widened by `ms` each side) holds `at`, with where `at` fell in them. */
  near(at: number, ms = 2_000): string[] {
    return this.windows
      .filter((w) => at >= w.from - ms && at <= (w.to ?? Infinity) + ms)
      .map((w) => `${w.name} (${at - w.from} ms after its start${w.to !== undefined ? `, ${at - w.to} ms after its end` : ''})`);
  }

  /** Faults seen so far, by name, for the summary. */
  names(): string[] {
    return this.windows.map((w) => w.name);
  }
}
