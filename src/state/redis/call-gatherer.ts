/**
 * Calls of one queue gathered while a script of that queue is in flight, and sent together as one
 * script when it answers ("smart batching": no timer, no added wait when the queue is idle).
 *
 * Why: at saturation a replica admits deliveries faster than one Redis round trip; with a script
 * per delivery every delivery paid a command object, a socket write that wakes Redis, a Lua call
 * and a reply of its own, on both sides. Gathered, a burst of deliveries costs one of each. When the
 * queue is idle a call is sent at once, exactly as before; it waits only while a script of its
 * queue is already out, and then for no longer than that script takes. Redis runs the scripts of
 * one connection in order anyway, so a call that waits would not have been answered much sooner.
 *
 * Queues are named by the caller, as in settle-batcher.ts: on Cluster one per hook (a script may
 * only touch one slot), otherwise one for every hook.
 *
 * A script that fails (an outage, a timeout) fails every call it carried and every call gathered
 * behind it: they would meet the same Redis, and must not wait out a second command timeout one
 * after the other. What a failure means is the caller's (the store's onError).
 */

export interface CallGathererOptions<E, R> {
  /** Sends one script carrying `entries` of `queueName`; resolves to one result per entry, in order. */
  readonly run: (queueName: string, entries: readonly E[]) => Promise<readonly R[]>;
  /** The most calls one script carries; a queue that gathers this many sends them at once. */
  readonly maxBatch: number;
}

interface Waiting<E, R> {
  readonly entry: E;
  readonly resolve: (result: R) => void;
  readonly reject: (error: unknown) => void;
}

interface Queue<E, R> {
  /** Scripts of this queue sent and not answered yet: 0, 1, or more when a full batch went early. */
  inFlight: number;
  waiting: Waiting<E, R>[];
}

export class CallGatherer<E, R> {
  // Kept once made: one per hook at most (Cluster), two small fields each.
  private readonly queues = new Map<string, Queue<E, R>>();

  constructor(private readonly options: CallGathererOptions<E, R>) {}

  /** Calls gathered and not sent yet, over every queue (for tests). */
  get gathered(): number {
    let count = 0;
    for (const queue of this.queues.values()) count += queue.waiting.length;
    return count;
  }

  submit(queueName: string, entry: E): Promise<R> {
    let queue = this.queues.get(queueName);
    if (!queue) this.queues.set(queueName, (queue = { inFlight: 0, waiting: [] }));
    const target = queue;
    return new Promise<R>((resolve, reject) => {
      const call: Waiting<E, R> = { entry, resolve, reject };
      if (target.inFlight === 0) return this.send(queueName, target, [call]);
      target.waiting.push(call);
      if (target.waiting.length >= this.options.maxBatch) this.send(queueName, target, this.take(target));
    });
  }

  private take(queue: Queue<E, R>): Waiting<E, R>[] {
    const batch = queue.waiting;
    queue.waiting = [];
    return batch;
  }

  private send(queueName: string, queue: Queue<E, R>, batch: readonly Waiting<E, R>[]): void {
    let reply: Promise<readonly R[]>;
    try {
      reply = this.options.run(queueName, batch.map((call) => call.entry));
    } catch (error) {
      reply = Promise.reject(error);
    }
    queue.inFlight++;
    reply.then(
      (results) => {
        this.answered(queueName, queue);
        if (results.length !== batch.length) {
          const error = new TypeError(`gathered script: ${results.length} results for ${batch.length} calls`);
          for (const call of batch) call.reject(error);
          return;
        }
        batch.forEach((call, i) => call.resolve(results[i]!));
      },
      (error: unknown) => {
        queue.inFlight--;
        for (const call of batch) call.reject(error);
        // Those waiting behind it would meet the same Redis (see above).
        if (queue.inFlight === 0) for (const call of this.take(queue)) call.reject(error);
      },
    );
  }

  /** A script answered: what gathered behind it goes now, before its own callers run. */
  private answered(queueName: string, queue: Queue<E, R>): void {
    queue.inFlight--;
    if (queue.inFlight === 0 && queue.waiting.length > 0) this.send(queueName, queue, this.take(queue));
  }
}
