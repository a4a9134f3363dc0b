import type { Registry } from 'prom-client';

/**
 * Counters and histograms for the request path, registered in a prom-client Registry like any
 * other metric (`registry.registerMetric`; the registry reads them through `get()`, the same shape
 * prom-client's own metrics return).
 *
 * Why not prom-client's Counter and Histogram: each of their `inc`/`observe` calls, even on a child
 * bound with `labels()`, validates the labels object and builds its hash string, then looks that up
 * in one object keyed by every series. With 1,000 hooks that object holds tens of thousands of keys
 * (dictionary mode), and the request path pays several such lookups per request. Here a series is a
 * cell the caller keeps (one per hook and label value, made once), and counting is arithmetic on
 * its fields; the label strings are only touched when Prometheus scrapes.
 */

type LabelValues = Readonly<Record<string, string>>;

interface MetricValue {
  readonly labels: Record<string, string | number>;
  readonly value: number;
  readonly metricName?: string;
}

interface MetricData {
  readonly name: string;
  readonly help: string;
  readonly type: 'counter' | 'histogram';
  readonly values: MetricValue[];
  readonly aggregator: 'sum';
}

export class CounterCell {
  value = 0;
  constructor(readonly labels: LabelValues) {}
  inc(by = 1): void {
    this.value += by;
  }
  zero(): void {
    this.value = 0;
  }
}

export class HistogramCell {
  sum = 0;
  count = 0;
  /** Observations per bucket (not cumulative); the last slot is above every bound (+Inf). */
  readonly buckets: Float64Array;
  constructor(
    readonly labels: LabelValues,
    private readonly bounds: readonly number[],
  ) {
    this.buckets = new Float64Array(bounds.length + 1);
  }
  observe(value: number): void {
    if (!Number.isFinite(value)) return;
    const bounds = this.bounds;
    let index = 0;
    while (index < bounds.length && value > bounds[index]!) index++;
    this.buckets[index]!++;
    this.sum += value;
    this.count++;
  }
  zero(): void {
    this.buckets.fill(0);
    this.sum = 0;
    this.count = 0;
  }
}

abstract class HotMetric<Cell extends { readonly labels: LabelValues; zero(): void }> {
  readonly aggregator = 'sum';
  private readonly cells = new Map<string, Cell>();

  constructor(
    /** Mutable: prom-client renames counters for OpenMetrics output. */
    public name: string,
    readonly help: string,
    readonly labelNames: readonly string[],
    registry: Registry,
  ) {
    registry.registerMetric(this as never);
  }

  /** The series of these label values, created at zero the first time. Keep it: this is the slow part. */
  cell(labels: LabelValues): Cell {
    const key = this.labelNames.map((name) => labels[name] ?? '').join('\u0000');
    let found = this.cells.get(key);
    if (!found) {
      found = this.make(labels);
      this.cells.set(key, found);
    }
    return found;
  }

  /** Zeroes every series (`registry.resetMetrics()`); the cells stay valid for whoever holds them. */
  reset(): void {
    for (const cell of this.cells.values()) cell.zero();
  }

  protected allCells(): IterableIterator<Cell> {
    return this.cells.values();
  }

  protected abstract make(labels: LabelValues): Cell;
}

export class HotCounter extends HotMetric<CounterCell> {
  readonly type = 'counter';

  protected make(labels: LabelValues): CounterCell {
    return new CounterCell(labels);
  }

  get(): MetricData {
    const values: MetricValue[] = [];
    for (const cell of this.allCells()) values.push({ labels: { ...cell.labels }, value: cell.value });
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}

export class HotHistogram extends HotMetric<HistogramCell> {
  readonly type = 'histogram';

  constructor(name: string, help: string, labelNames: readonly string[], readonly bounds: readonly number[], registry: Registry) {
    super(name, help, labelNames, registry);
  }

  protected make(labels: LabelValues): HistogramCell {
    return new HistogramCell(labels, this.bounds);
  }

  get(): MetricData {
    const values: MetricValue[] = [];
    for (const cell of this.allCells()) {
      let cumulative = 0;
      for (let index = 0; index <= this.bounds.length; index++) {
        cumulative += cell.buckets[index]!;
        values.push({ labels: { le: index < this.bounds.length ? this.bounds[index]! : '+Inf', ...cell.labels }, value: cumulative, metricName: `${this.name}_bucket` });
      }
      values.push({ labels: { ...cell.labels }, value: cell.sum, metricName: `${this.name}_sum` });
      values.push({ labels: { ...cell.labels }, value: cell.count, metricName: `${this.name}_count` });
    }
    return { name: this.name, help: this.help, type: this.type, values, aggregator: this.aggregator };
  }
}
