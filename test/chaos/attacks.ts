import type { ChaosRun } from './chaos-run.js';
import { flood, type FloodResult } from './flood.js';
import { PROVIDERS, forge } from './provider-kinds.js';
import type { Delivery } from './simulator.js';

export interface AttackOptions {
  readonly addresses: readonly string[];
  readonly perAddressPerSecond: number;
  readonly durationMs: number;
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Forgeries (wrong secret, tampered body, unsigned) from many addresses, every address at one hook,
 * so each crosses the lockout threshold. Every forged id goes into `forgedIds` for the final check.
 */
export function forgeryFlood(run: ChaosRun, options: AttackOptions, forgedIds: Set<string>): Promise<FloodResult> {
  const count = options.addresses.length;
  return flood({
    urls: run.sidecars.map((s) => s.url),
    ...options,
    async make(n) {
      const provider = PROVIDERS[(n % count) % PROVIDERS.length]!;
      const id = provider.newId('flood', n);
      forgedIds.add(id);
      const kind = (['wrong-secret', 'tampered-body', 'unsigned'] as const)[Math.floor(n / count) % 3]!;
      const { headers, body } = await forge(provider, kind, run.simulator.secretOf(provider.name), id, nowSeconds());
      return { path: provider.path, headers, body };
    },
  });
}

/**
 * Replays of `captured` deliveries the app already accepted, with valid signatures (a captured
 * delivery within its tolerance), every address at one hook: only the replay record and the
 * per-source limit stand in the way, and the app must not see any of them again. `captured` must
 * hold deliveries whose replay record still exists: a Redis restart without persistence forgets
 * them (redis-outage.test.ts measures that).
 */
export function replayFlood(run: ChaosRun, options: AttackOptions, captured: readonly Delivery[]): Promise<FloodResult> {
  const count = options.addresses.length;
  return flood({
    urls: run.sidecars.map((s) => s.url),
    ...options,
    async make(n) {
      const provider = PROVIDERS[(n % count) % PROVIDERS.length]!;
      const own = captured.filter((d) => d.provider === provider.name);
      const delivery = own[Math.floor(n / count) % own.length]!;
      const headers = await provider.sign(run.simulator.secretOf(provider.name), delivery.id, delivery.body, nowSeconds());
      return { path: provider.path, headers, body: delivery.body };
    },
  });
}
