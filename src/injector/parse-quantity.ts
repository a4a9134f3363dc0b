export type QuantityKind = 'cpu' | 'memory';

const MEMORY_SUFFIXES: Readonly<Record<string, number>> = {
  '': 1,
  k: 1e3,
  M: 1e6,
  G: 1e9,
  T: 1e12,
  P: 1e15,
  E: 1e18,
  Ki: 2 ** 10,
  Mi: 2 ** 20,
  Gi: 2 ** 30,
  Ti: 2 ** 40,
  Pi: 2 ** 50,
  Ei: 2 ** 60,
};

const CPU_SUFFIXES: Readonly<Record<string, number>> = { '': 1, m: 1e-3 };

/** What a quantity may look like, for problem messages. */
export const QUANTITY_EXAMPLES: Readonly<Record<QuantityKind, string>> = {
  cpu: 'a CPU quantity such as 50m or 0.5',
  memory: 'a memory quantity such as 64Mi or 1Gi',
};

/**
 * Reads a Kubernetes quantity into base units (cores or bytes) so it can be compared with bounds.
 * Narrower than Kubernetes accepts on purpose: no signs, exponents or milli-bytes, which are legal
 * but in a sidecar's resources are almost always typos. Returns undefined for anything else or zero.
 */
export function parseQuantity(text: string, kind: QuantityKind): number | undefined {
  const match = /^(\d+(?:\.\d+)?)([a-zA-Z]*)$/.exec(text);
  if (!match) return undefined;
  const suffixes = kind === 'cpu' ? CPU_SUFFIXES : MEMORY_SUFFIXES;
  const suffix = match[2]!;
  if (!Object.hasOwn(suffixes, suffix)) return undefined;
  const factor = suffixes[suffix]!;
  const value = Number(match[1]) * factor;
  return value > 0 && Number.isFinite(value) ? value : undefined;
}
