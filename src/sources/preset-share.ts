/** A list of provider ranges as one replica fetched it, for the others to reuse. */
export interface SharedPresetList {
  readonly cidrs: readonly string[];
  /** Epoch ms of the fetch. */
  readonly fetchedAt: number;
}

/**
 * Where replicas share fetched provider ranges (Redis), so that one replica fetches per interval
 * instead of every pod: GitHub allows 60 unauthenticated meta requests an hour per address, and a
 * cluster's pods usually leave through one NAT address.
 */
export interface PresetShare {
  load(provider: string): Promise<SharedPresetList | undefined>;
  store(provider: string, list: SharedPresetList): Promise<void>;
  /** True for the one replica that should fetch now; the lease lapses by itself. */
  lease(provider: string, ttlMs: number): Promise<boolean>;
  /** Resolves once the share can be used, or after `timeoutMs` (then the refresher fetches alone). */
  whenReady(timeoutMs: number): Promise<void>;
}
