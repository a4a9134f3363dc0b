import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Counter, Histogram, Registry } from 'prom-client';
import { HotCounter, HotHistogram } from '../../src/observability/hot-metrics.js';

const BOUNDS = [0.001, 0.01, 0.1, 1, 10];
type ContentType = typeof Registry.PROMETHEUS_CONTENT_TYPE | typeof Registry.OPENMETRICS_CONTENT_TYPE;

function registryOf(contentType: ContentType): Registry {
  const registry = new Registry();
  registry.setContentType(contentType as never);
  return registry;
}

/** The exposition text of one registry, with its HELP/TYPE lines, for a comparison line by line. */
async function exposition(registry: Registry): Promise<string[]> {
  return (await registry.metrics()).split('\n').filter((line) => line !== '');
}

/**
 * The request path's counters and histograms against prom-client's own, as the oracle: the same
 * observations must give the same /metrics text, in both exposition formats.
 */
describe('hot metrics', () => {
  const observations = [0, 0.0005, 0.001, 0.004, 0.05, 0.5, 0.99, 1, 3, 10, 11, 250];

  for (const contentType of [Registry.PROMETHEUS_CONTENT_TYPE, Registry.OPENMETRICS_CONTENT_TYPE] as const) {
    it(`a histogram gives prom-client's exposition (${contentType.split(';')[0]})`, async () => {
      const ours = registryOf(contentType);
      const theirs = registryOf(contentType);
      const hot = new HotHistogram('x_seconds', 'help text', ['hook', 'status_class'], BOUNDS, ours);
      const reference = new Histogram({ name: 'x_seconds', help: 'help text', labelNames: ['hook', 'status_class'], buckets: BOUNDS, registers: [theirs] });
      const cell = hot.cell({ hook: 'gh', status_class: '2xx' });
      for (const value of observations) {
        cell.observe(value);
        reference.observe({ hook: 'gh', status_class: '2xx' }, value);
      }
      hot.cell({ hook: 'idle', status_class: '5xx' });
      reference.zero({ hook: 'idle', status_class: '5xx' });
      const text = await exposition(ours);
      assert.deepEqual(text, await exposition(theirs));
      assert.equal(text.at(-1) === '# EOF', contentType === Registry.OPENMETRICS_CONTENT_TYPE, 'the format asked for');
    });

    it(`a counter gives prom-client's exposition (${contentType.split(';')[0]})`, async () => {
      const ours = registryOf(contentType);
      const theirs = registryOf(contentType);
      const hot = new HotCounter('y_total', 'help text', ['hook', 'outcome'], ours);
      const reference = new Counter({ name: 'y_total', help: 'help text', labelNames: ['hook', 'outcome'], registers: [theirs] });
      const accepted = hot.cell({ hook: 'gh', outcome: 'accepted' });
      for (let i = 0; i < 5; i++) accepted.inc();
      accepted.inc(2);
      hot.cell({ hook: 'gh', outcome: 'rejected' });
      reference.inc({ hook: 'gh', outcome: 'accepted' }, 7);
      reference.inc({ hook: 'gh', outcome: 'rejected' }, 0);
      assert.deepEqual(await exposition(ours), await exposition(theirs));
    });
  }

  it('one cell per label set, whatever the key order; reset zeroes the cells their holders keep', async () => {
    const registry = new Registry();
    const hot = new HotCounter('z_total', 'help', ['hook', 'outcome'], registry);
    const cell = hot.cell({ hook: 'a', outcome: 'accepted' });
    assert.equal(hot.cell({ outcome: 'accepted', hook: 'a' }), cell);
    assert.notEqual(hot.cell({ hook: 'a', outcome: 'rejected' }), cell);
    cell.inc(3);
    registry.resetMetrics();
    cell.inc();
    assert.match(await registry.metrics(), /^z_total\{hook="a",outcome="accepted"\} 1$/m);
  });

  it('a histogram ignores a value that is not a finite number instead of poisoning its sum', async () => {
    const registry = new Registry();
    const cell = new HotHistogram('w_seconds', 'help', ['hook'], BOUNDS, registry).cell({ hook: 'a' });
    cell.observe(Number.NaN);
    cell.observe(Number.POSITIVE_INFINITY);
    cell.observe(0.5);
    const text = await registry.metrics();
    assert.match(text, /^w_seconds_count\{hook="a"\} 1$/m);
    assert.match(text, /^w_seconds_sum\{hook="a"\} 0.5$/m);
  });
});
