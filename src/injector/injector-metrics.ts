import { Counter, Registry, collectDefaultMetrics } from 'prom-client';
import { METRIC } from '../observability/metric-names.js';
import { INJECTION_RESULTS, type InjectionResultName } from './injector-names.js';

export interface InjectorMetrics {
  readonly registry: Registry;
  readonly injections: Counter<'result'>;
}

/**
 * A registry of its own per injector (tests run several in one process). Every result starts at 0
 * so that rate() and alerts on `result="error"` work from the first scrape.
 */
export function createInjectorMetrics(options: { defaultMetrics?: boolean } = {}): InjectorMetrics {
  const registry = new Registry();
  if (options.defaultMetrics !== false) collectDefaultMetrics({ register: registry });
  const injections = new Counter({
    name: METRIC.injections,
    help: 'Admission requests by result: injected, skipped, denied (bad annotations), error (no answer given).',
    labelNames: ['result'] as const,
    registers: [registry],
  });
  for (const result of INJECTION_RESULTS) injections.inc({ result }, 0);
  return { registry, injections };
}

export function countInjection(metrics: InjectorMetrics, result: InjectionResultName): void {
  metrics.injections.inc({ result });
}
