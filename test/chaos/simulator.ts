import http from 'node:http';
import type { FaultTimeline } from './fault-timeline.js';
import { FORGERY_KINDS, forge, type ForgeryKind, type ProviderKind, type ProviderName } from './provider-kinds.js';

/** One HTTP exchange as the provider saw it. */
export interface Attempt {
  readonly from: number;
  to: number;
  readonly target: string;
  status?: number;
  /** The client-side error code when no answer came (ECONNREFUSED, ECONNRESET, TIMEOUT, ...). */
  error?: string;
  /** The sidecar said Hookguard-Duplicate: true (answered from its replay record). */
  duplicate: boolean;
  /** Sent on a kept-alive connection rather than a new one (where a reset came from). */
  reused?: boolean;
}

export type DeliveryState = 'pending' | 'accepted' | 'failed' | 'gave_up';

export interface Delivery {
  readonly id: string;
  readonly provider: ProviderName;
  readonly body: Buffer;
  readonly forged?: ForgeryKind;
  readonly attempts: Attempt[];
  state: DeliveryState;
  /** The provider's own duplicate sends of this delivery after it was accepted. */
  readonly duplicates: Attempt[];
  /** Sends of it again by a suite's probe (probe.ts). */
  readonly probes: Attempt[];
  /** For `retired-secret` forgeries: the secret it is signed with. */
  readonly secret?: string;
}

export interface SimulatorOptions {
  /** Part of every delivery id, so runs and suites never share ids. */
  readonly tag: string;
  /** Base URLs; attempts go round-robin over them, as a Service spreads connections. */
  readonly targets: readonly string[];
  readonly providers: readonly ProviderKind[];
  readonly secrets: ReadonlyMap<ProviderName, string>;
  readonly timeline: FaultTimeline;
  /** Genuine deliveries per second, spread evenly over the providers. */
  readonly ratePerSecond: number;
  /** One delivery slot in this many is a forgery, sent from a forger's address. 0: none. */
  readonly forgedEvery?: number;
  /** Share of accepted deliveries the provider sends once more, 0.5-2 s later. */
  readonly duplicateShare?: number;
  /** The providers' own deadline for an answer. GitHub's is 10 s. */
  readonly requestTimeoutMs?: number;
  /** Where genuine deliveries come from. */
  readonly genuineAddress?: string;
  /** Where forgeries come from: many addresses, a few forgeries each. */
  readonly forgerAddress?: (n: number) => string;
}

/**
 * Plays the providers: sends correctly signed deliveries at a steady rate, each with its own id,
 * mixes in forgeries, retries what was not answered 2xx on each provider's (compressed) schedule,
 * now and then sends an accepted delivery again (providers do: "at least once"), and keeps a record
 * of every exchange. Keep-alive connections, as providers use, so that a server closing a connection
 * under a request shows up as the reset it is.
 */
export class ProviderSimulator {
  readonly deliveries = new Map<string, Delivery>();
  /** Duplicates not sent because a fault came between the acceptance and the duplicate. */
  duplicatesSkipped = 0;
  private readonly secrets: Map<ProviderName, string>;
  private readonly agent = new http.Agent(KEEP_ALIVE);
  private readonly timers = new Set<NodeJS.Timeout>();
  private readonly inFlight = new Set<Promise<void>>();
  private ticker: NodeJS.Timeout | undefined;
  private slots = 0;
  private extra = 0;
  private nextTarget = 0;
  private startedAt = 0;

  constructor(private readonly options: SimulatorOptions) {
    this.secrets = new Map(options.secrets);
  }

  /** From now on attempts (retries included) are signed with this secret, as after a provider's roll. */
  useSecret(provider: ProviderName, secret: string): void {
    this.secrets.set(provider, secret);
  }

  secretOf(provider: ProviderName): string {
    return this.secrets.get(provider)!;
  }

  start(): void {
    this.startedAt = Date.now();
    this.slots = 0;
    this.ticker = setInterval(() => {
      const due = Math.floor(((Date.now() - this.startedAt) * this.options.ratePerSecond) / 1000);
      while (this.slots < due) this.newSlot(this.slots++);
    }, 10);
  }

  /** Stops new deliveries; retries and duplicates already planned go on. */
  stop(): void {
    clearInterval(this.ticker);
    this.ticker = undefined;
  }

  /** Waits until no attempt is running or planned; false if that did not happen in time. */
  async settle(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.timers.size > 0 || this.inFlight.size > 0) {
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    return true;
  }

  /** Stops everything and closes the keep-alive connections. */
  close(): void {
    this.stop();
    for (const timer of this.timers) clearTimeout(timer);
    this.timers.clear();
    this.agent.destroy();
  }

  /** Sends accepted deliveries once more, now, whatever the timeline says (the probes of a suite). */
  async resend(deliveries: readonly Delivery[]): Promise<Attempt[]> {
    return Promise.all(deliveries.map((delivery) => this.track(this.exchange(delivery)).then((attempt) => (delivery.probes.push(attempt), attempt))));
  }

  /**
   * One more genuine delivery of `provider` now, outside the steady rate; resolves when its first
   * attempt has its answer (retries go on in the background). For closed-loop senders.
   */
  sendOne(provider: ProviderName): Promise<Attempt> {
    const kind = this.options.providers.find((p) => p.name === provider)!;
    const id = kind.newId(`${this.options.tag}-loop`, this.extra++);
    const delivery: Delivery = { id, provider, body: kind.body(id), attempts: [], state: 'pending', duplicates: [], probes: [] };
    this.deliveries.set(id, delivery);
    return new Promise((resolve) => void this.deliver(delivery, kind, 0, resolve));
  }

  /** One forgery now, from a forger's address; `secret` for a delivery signed with a retired secret. */
  async sendForgery(provider: ProviderName, kind: ForgeryKind, secret?: string): Promise<Attempt> {
    const kindOf = this.options.providers.find((p) => p.name === provider)!;
    const id = kindOf.newId(`${this.options.tag}-forged`, this.extra++);
    const delivery: Delivery = { id, provider, body: kindOf.body(id), attempts: [], state: 'pending', duplicates: [], probes: [], forged: kind, ...(secret ? { secret } : {}) };
    this.deliveries.set(id, delivery);
    let first: Attempt | undefined;
    await this.deliver(delivery, kindOf, 0, (attempt) => (first = attempt));
    return first!;
  }

  /** Genuine deliveries accepted so far (a snapshot). */
  acceptedSoFar(): Delivery[] {
    return [...this.deliveries.values()].filter((d) => !d.forged && d.state === 'accepted');
  }

  /** Genuine deliveries whose accepting exchange satisfies `when(from, to)`. */
  acceptedWithin(when: (from: number, to: number) => boolean): Delivery[] {
    return this.acceptedSoFar().filter((d) => {
      const accepted = d.attempts.find(isSuccess);
      return accepted !== undefined && when(accepted.from, accepted.to);
    });
  }

  private newSlot(n: number): void {
    const providers = this.options.providers;
    const provider = providers[n % providers.length]!;
    const every = this.options.forgedEvery ?? 0;
    const forged = every > 0 && n % every === every - 1 ? FORGERY_KINDS[Math.floor(n / every) % FORGERY_KINDS.length] : undefined;
    const id = provider.newId(forged ? `${this.options.tag}-forged` : this.options.tag, n);
    const delivery: Delivery = { id, provider: provider.name, body: provider.body(id), attempts: [], state: 'pending', duplicates: [], probes: [], ...(forged ? { forged } : {}) };
    this.deliveries.set(id, delivery);
    void this.deliver(delivery, provider, 0);
  }

  private async deliver(delivery: Delivery, provider: ProviderKind, retry: number, onFirst?: (attempt: Attempt) => void): Promise<void> {
    const attempt = await this.track(this.exchange(delivery));
    delivery.attempts.push(attempt);
    onFirst?.(attempt);
    if (delivery.forged) {
      delivery.state = isSuccess(attempt) ? 'accepted' : 'failed';
      return;
    }
    if (isSuccess(attempt)) {
      delivery.state = 'accepted';
      this.maybeDuplicate(delivery, attempt);
      return;
    }
    const delay = provider.retryDelaysMs[retry];
    if (delay === undefined) {
      delivery.state = provider.retryDelaysMs.length === 0 ? 'failed' : 'gave_up';
      return;
    }
    this.later(delay * (0.9 + Math.random() * 0.2), () => void this.deliver(delivery, provider, retry + 1));
  }

  private maybeDuplicate(delivery: Delivery, accepted: Attempt): void {
    const share = this.options.duplicateShare ?? 0;
    if (share <= 0 || Math.random() >= share) return;
    this.later(500 + Math.random() * 1_500, () => {
      // Only where the replay record must still be there: no fault since the acceptance (a
      // Redis restart forgets, an onError: open outage keeps records per replica; docs/redis.md).
      if (!this.options.timeline.healthyBetween(accepted.from, Date.now())) {
        this.duplicatesSkipped++;
        return;
      }
      void this.track(this.exchange(delivery)).then((attempt) => {
        delivery.duplicates.push(attempt);
      });
    });
  }

  private later(ms: number, fn: () => void): void {
    const timer = setTimeout(() => {
      this.timers.delete(timer);
      fn();
    }, ms);
    this.timers.add(timer);
  }

  private track<T>(promise: Promise<T>): Promise<T> {
    const done = promise.then(() => undefined, () => undefined);
    this.inFlight.add(done);
    void done.then(() => this.inFlight.delete(done));
    return promise;
  }

  private async exchange(delivery: Delivery): Promise<Attempt> {
    const provider = this.options.providers.find((p) => p.name === delivery.provider)!;
    const secret = this.secrets.get(delivery.provider)!;
    const now = Math.floor(Date.now() / 1000);
    const signed = delivery.forged
      ? await forge(provider, delivery.forged, delivery.secret ?? secret, delivery.id, now)
      : { headers: await provider.sign(secret, delivery.id, delivery.body, now), body: delivery.body };
    const targets = this.options.targets;
    const target = targets[this.nextTarget++ % targets.length]!;
    const localAddress = delivery.forged ? (this.options.forgerAddress ?? defaultForger)(this.slots) : (this.options.genuineAddress ?? '127.0.0.1');
    const attempt: Attempt = { from: Date.now(), to: 0, target, duplicate: false };
    await new Promise<void>((resolve) => {
      const finish = () => {
        attempt.to = Date.now();
        resolve();
      };
      const req = http.request(`${target}${provider.path}`, { method: 'POST', agent: this.agent, localAddress, headers: { ...signed.headers, 'content-length': String(signed.body.length) } }, (res) => {
        attempt.status = res.statusCode;
        attempt.duplicate = res.headers['hookguard-duplicate'] === 'true';
        res.resume();
        res.on('end', finish);
        res.on('error', (error: NodeJS.ErrnoException) => {
          attempt.error = error.code ?? 'RESPONSE_ERROR';
          finish();
        });
      });
      req.setTimeout(this.options.requestTimeoutMs ?? 10_000, () => req.destroy(Object.assign(new Error('provider deadline'), { code: 'TIMEOUT' })));
      req.on('error', (error: NodeJS.ErrnoException) => {
        // An answer already read stays the answer; an error after it is the connection's end.
        if (attempt.status === undefined) attempt.error = error.code ?? 'REQUEST_ERROR';
        attempt.reused = req.reusedSocket;
        finish();
      });
      req.end(signed.body);
    });
    return attempt;
  }
}

/**
 * Providers' connections: kept alive, and closed by the client after 4 s idle (undici's default, the
 * client behind Node's fetch). Without a client-side idle timeout, Node's agent keeps a connection
 * until the server closes it, and a request sent at that instant is reset whoever closes.
 */
export const KEEP_ALIVE: http.AgentOptions = { keepAlive: true, maxSockets: 64, scheduling: 'lifo', timeout: 4_000 };

export const isSuccess = (attempt: Attempt): boolean => attempt.status !== undefined && attempt.error === undefined && attempt.status >= 200 && attempt.status < 300;

/** Forgers come from many addresses, a few forgeries each: 127.0.5.1 to 127.0.5.250. */
const defaultForger = (n: number) => `127.0.5.${(n % 250) + 1}`;
