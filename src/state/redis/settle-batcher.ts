/**
 * Settles of replay claims, queued and carried by the next script that may touch their keys.
 *
 * Queues are named by the caller: every settle of a queue may ride on any script run for that
 * queue. The Redis store uses one queue per hook on Cluster (a script may only touch one slot, and
 * every key of a hook shares its hash tag) and a single queue on one Redis or Sentinel.
 *
 * Why: an accepted delivery used to cost two Redis round trips, the admit+claim script before it
 * was forwarded and a settle script after the app answered. The settle can ride on the next script
 * of its queue instead (admit, admitAndClaim, claim: one
 * EVALSHA that applies the queued settles first, then does its own work). Under steady traffic
 * every delivery then costs one round trip. A queue whose traffic pauses is written by a
 * timer after `delayMs`, as one settle-batch script; a queue that reaches `maxBatch` is written at
 * once.
 *
 * What it costs, by design:
 * - A retry arriving at *this* replica always sees the settled record: its own script carries the
 *   pending settles and applies them before its claim (and scripts on one connection run in order).
 * - A copy arriving at *another* replica within the delay still finds the claim in flight and gets
 *   409 instead of 200 duplicate (or, for a released claim, 409 instead of going through); the
 *   provider's retry a few seconds later gets the right answer.
 * - A crash before the flush loses the queued settles, exactly as a crash before an un-awaited
 *   settle did: the claim lapses after its in-flight time, and an accepted delivery sent again after
 *   that reaches the app again.
 *
 * The batcher only queues, encodes and runs; what a failed settle means (the memory stand-in, or an
 * error in onError: closed) is decided by each entry's `finish`, which the store provides.
 */

/** Why a queued settle was not applied: Redis was down (nothing sent), or the script failed. */
export type SettleOutcome = { readonly ok: true } | { readonly ok: false; readonly sent: false } | { readonly ok: false; readonly sent: true; readonly error: unknown };

export interface QueuedSettle {
  /** The record's Redis key (with its hook's hash tag). */
  readonly key: string;
  /** The owner token of the claim; a release deletes the record only if it still holds it. */
  readonly token: string;
  readonly accepted: boolean;
  /** Whole seconds, at least 1: a bad value must not make the script that carries it fail. */
  readonly ttlSeconds: number;
  /** Called exactly once, when the script that carried it has answered (or could not be sent). */
  readonly finish: (outcome: SettleOutcome) => void;
}

export interface SettleBatcherOptions {
  /** Whether Redis can take commands now; a batch is not even sent while it cannot. */
  readonly isUp: () => boolean;
  /** Sends a batch of one queue on its own (the settle-batch script). */
  readonly send: (keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;
  readonly delayMs: number;
  readonly maxBatch: number;
}

/**
 * The longest a settle waits for another script of its queue before it is written on its own.
 * Short against anything a provider does (retries come seconds to hours later, so the 409 window
 * above is rarely hit), long against the gap between deliveries of a busy replica (under 1 ms at a few
 * hundred deliveries per second per replica, so nearly every settle rides along). In between, at r
 * deliveries per second, a settle is written alone with a probability of about e^(-r·delay): 8% at
 * 100/s, 78% at 10/s; a quiet queue pays what it paid before, one extra script per delivery, never
 * more. Under 1 ms it would buy nothing; much over 50 ms it would widen the 409 window and hold
 * records in flight longer for no further saving.
 */
export const SETTLE_DELAY_MS = 25;

/**
 * The most settles one script carries. 64 keys and 192 arguments stay far below any Redis limit and
 * keep one script short (each settle is one SET, or a GET and a DEL), and a burst of more than this
 * many answers between two scripts of the queue is written at once instead of piling up.
 */
export const SETTLE_BATCH_MAX = 64;

const NO_SETTLES: readonly QueuedSettle[] = Object.freeze([]);
const NO_KEYS: readonly string[] = Object.freeze([]);
const NO_ARGS: readonly (string | number)[] = Object.freeze([]);
const APPLIED: SettleOutcome = Object.freeze({ ok: true });
const NOT_SENT: SettleOutcome = Object.freeze({ ok: false, sent: false });

interface Queue {
  entries: QueuedSettle[];
  /** When the oldest of `entries` was queued (performance.now()). */
  oldestAt: number;
  /**
   * Armed by the first settle queued while no timer runs, and left running when a script carries
   * the queue. When it fires on younger settles than it was armed for, it waits again for the
   * oldest of them; on an empty queue it stops. So every settle waits its full `delayMs` for a
   * carrier, and steady traffic costs one timer per `delayMs` per queue instead of a setTimeout and
   * a clearTimeout per delivery.
   */
  timer: NodeJS.Timeout | undefined;
}

export class SettleBatcher {
  private readonly queues = new Map<string, Queue>();
  /** Scripts carrying settles that have not answered yet; close() waits for them. */
  private sending = 0;
  private whenIdle: Array<() => void> = [];
  private closing = false;

  constructor(private readonly options: SettleBatcherOptions) {}

  /** Settles queued and not yet sent, over every queue (for tests and close). */
  get queued(): number {
    let count = 0;
    for (const queue of this.queues.values()) count += queue.entries.length;
    return count;
  }

  add(queueName: string, entry: QueuedSettle): void {
    let queue = this.queues.get(queueName);
    if (!queue) this.queues.set(queueName, (queue = { entries: [], oldestAt: 0, timer: undefined }));
    if (queue.entries.length === 0) queue.oldestAt = performance.now();
    queue.entries.push(entry);
    if (this.closing || queue.entries.length >= this.options.maxBatch) {
      this.flush(queueName);
      return;
    }
    if (queue.timer === undefined) this.arm(queueName, queue, this.options.delayMs);
  }

  /**
   * Runs a script of the queue with its queued settles as extra keys and arguments (see
   * settlesFirstLua), and reports to each settle once the script has answered. The queue is taken
   * and the script sent in the same synchronous step, so settles reach Redis in the order they were
   * made, before anything this replica sends later.
   */
  carry<T>(queueName: string, run: (settleKeys: readonly string[], settleArgs: readonly (string | number)[]) => Promise<T>): Promise<T> {
    const batch = this.take(queueName);
    return batch.length === 0 ? run(NO_KEYS, NO_ARGS) : this.send(batch, run);
  }

  /** Writes every queued settle, and waits until every script carrying settles has answered. */
  async close(): Promise<void> {
    this.closing = true;
    while (this.queued > 0 || this.sending > 0) {
      for (const queueName of [...this.queues.keys()]) this.flush(queueName);
      if (this.sending > 0) await new Promise<void>((resolve) => this.whenIdle.push(resolve));
    }
    for (const queue of this.queues.values()) clearTimeout(queue.timer);
    this.queues.clear();
  }

  private arm(queueName: string, queue: Queue, ms: number): void {
    queue.timer = setTimeout(() => this.onTimer(queueName), ms);
  }

  private onTimer(queueName: string): void {
    const queue = this.queues.get(queueName);
    if (!queue) return;
    queue.timer = undefined;
    // An empty queue is forgotten (a hook removed by a reload leaves nothing behind).
    if (queue.entries.length === 0) {
      this.queues.delete(queueName);
      return;
    }
    const wait = queue.oldestAt + this.options.delayMs - performance.now();
    if (wait >= 1) this.arm(queueName, queue, wait);
    else this.flush(queueName);
  }

  /** Sends the queue as a batch of its own now (the timer, the cap, close). */
  private flush(queueName: string): void {
    const batch = this.take(queueName);
    if (batch.length === 0) return;
    if (!this.options.isUp()) {
      finishAll(batch, NOT_SENT);
      return;
    }
    void this.send(batch, this.options.send).catch(() => {
      // Reported to each settle by send; nobody else waits on a batch of its own.
    });
  }

  /** Runs a script carrying `batch`, and finishes every settle of it by the script's answer. */
  private send<T>(batch: readonly QueuedSettle[], run: (settleKeys: readonly string[], settleArgs: readonly (string | number)[]) => Promise<T>): Promise<T> {
    const { keys, args } = encode(batch);
    let reply: Promise<T>;
    try {
      reply = run(keys, args);
    } catch (error) {
      reply = Promise.reject(error);
    }
    this.sending++;
    reply.then(
      () => this.answered(batch, APPLIED),
      (error: unknown) => this.answered(batch, { ok: false, sent: true, error }),
    );
    return reply;
  }

  private answered(batch: readonly QueuedSettle[], outcome: SettleOutcome): void {
    finishAll(batch, outcome);
    if (--this.sending > 0 || this.whenIdle.length === 0) return;
    const waiting = this.whenIdle;
    this.whenIdle = [];
    for (const resolve of waiting) resolve();
  }

  /** The queue's settles, leaving it empty (its timer runs on). */
  private take(queueName: string): readonly QueuedSettle[] {
    const queue = this.queues.get(queueName);
    if (!queue || queue.entries.length === 0) return NO_SETTLES;
    const batch = queue.entries;
    queue.entries = [];
    return batch;
  }
}

/** Keys in queue order; per settle three arguments: owner token, accepted 1/0, done TTL. */
function encode(batch: readonly QueuedSettle[]): { keys: string[]; args: (string | number)[] } {
  const keys = new Array<string>(batch.length);
  const args = new Array<string | number>(batch.length * 3);
  batch.forEach((entry, i) => {
    keys[i] = entry.key;
    args[3 * i] = entry.token;
    args[3 * i + 1] = entry.accepted ? 1 : 0;
    args[3 * i + 2] = entry.ttlSeconds;
  });
  return { keys, args };
}

function finishAll(batch: readonly QueuedSettle[], outcome: SettleOutcome): void {
  for (const entry of batch) {
    try {
      entry.finish(outcome);
    } catch {
      // A finish that throws is a bug of its own; it must not keep the others from finishing.
    }
  }
}

/** SET EX takes a whole number of seconds above 0; anything else would fail the whole script. */
export function settleTtlSeconds(ttlSeconds: number): number {
  return Number.isFinite(ttlSeconds) && ttlSeconds >= 1 ? Math.floor(ttlSeconds) : 1;
}
