import type { Logger } from 'pino';

export interface RejectionEvent {
  /**
   * `rejected` (the default); `suspicious`: let through, but worth a look; `duplicate`: answered from
   * the replay record (normal for a retrying provider, so logged at info, but bounded like the rest
   * because a replay flood must not flood the log).
   */
  readonly kind?: 'rejected' | 'suspicious' | 'duplicate';
  readonly reason: string;
  readonly hook: string;
  readonly source: string;
  readonly status: number;
  readonly requestId: string;
  readonly userAgent?: string;
  readonly method?: string;
  readonly detail?: Record<string, unknown>;
}

export interface RejectionLogOptions {
  /** Full lines per (reason, source) in each interval before folding into a summary. */
  readonly burst?: number;
  readonly intervalMs?: number;
  /** Distinct (reason, source) keys tracked; beyond it, keys fold into one per reason. */
  readonly maxKeys?: number;
  readonly onSuppressed?: (reason: string) => void;
}

/**
 * One warn line per rejection, with bounded volume: per reason and source, the first `burst` lines
 * of each interval are written in full; the rest are counted and written as one summary line per
 * key at the end of the interval. A flood from one address (or from many) costs a bounded number
 * of lines per interval, and nothing is lost from the counts.
 */
export class RejectionLog {
  private counts = new Map<string, { logged: number; suppressed: number; kind: string; hook: string; reason: string; source: string }>();
  private readonly burst: number;
  private readonly maxKeys: number;
  private readonly timer: NodeJS.Timeout;

  constructor(private readonly logger: Logger, private readonly options: RejectionLogOptions = {}) {
    this.burst = options.burst ?? 5;
    this.maxKeys = options.maxKeys ?? 1_000;
    this.timer = setInterval(() => this.flush(), options.intervalMs ?? 60_000);
    this.timer.unref();
  }

  write(event: RejectionEvent): void {
    let key = `${event.kind ?? 'rejected'}|${event.reason}|${event.source}`;
    let entry = this.counts.get(key);
    if (!entry && this.counts.size >= this.maxKeys) {
      key = `${event.kind ?? 'rejected'}|${event.reason}|*`;
      entry = this.counts.get(key);
    }
    if (!entry) {
      entry = { logged: 0, suppressed: 0, kind: event.kind ?? 'rejected', hook: event.hook, reason: event.reason, source: key.endsWith('|*') ? '*' : event.source };
      this.counts.set(key, entry);
    }
    if (entry.logged < this.burst) {
      entry.logged++;
      (event.kind === 'duplicate' ? this.logger.info : this.logger.warn).call(this.logger,
        {
          event: event.kind ?? 'rejected',
          reason: event.reason,
          hook: event.hook,
          source: event.source,
          status: event.status,
          requestId: event.requestId,
          userAgent: event.userAgent,
          method: event.method,
          ...event.detail,
        },
        `${event.kind ?? 'rejected'} ${event.reason}`,
      );
      return;
    }
    entry.suppressed++;
    this.options.onSuppressed?.(event.reason);
  }

  /** Writes the summaries of the interval and starts a new one. */
  flush(): void {
    const counts = this.counts;
    this.counts = new Map();
    for (const entry of counts.values()) {
      if (entry.suppressed === 0) continue;
      (entry.kind === 'duplicate' ? this.logger.info : this.logger.warn).call(this.logger,
        { event: `${entry.kind}_summary`, reason: entry.reason, source: entry.source, hook: entry.hook, suppressed: entry.suppressed, logged: entry.logged },
        `${entry.kind} ${entry.reason}: ${entry.suppressed} more from ${entry.source} not logged one by one`,
      );
    }
  }

  close(): void {
    clearInterval(this.timer);
    this.flush();
  }
}
