/** Where a provider publishes its list in machine-readable form, for the refresher. */
export interface PresetFeed {
  /** The JSON document's address. */
  readonly url: string;
  /** The top-level key of that document holding the list of CIDRs or addresses. */
  readonly key: string;
}

/** A provider's published webhook source ranges, shipped as data. */
export interface SourcePreset {
  /** The page or document the ranges come from. */
  readonly source: string;
  /** The day the ranges were copied from `source` (YYYY-MM-DD). */
  readonly takenOn: string;
  /** Normalised CIDRs: network address and prefix length, IPv4 and IPv6. */
  readonly cidrs: readonly string[];
  /** Absent when the provider publishes the ranges only as prose. */
  readonly feed?: PresetFeed;
}
