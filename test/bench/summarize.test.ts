import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { checkTargets, scriptsPerAcceptedDelivery, type TargetInputs } from '../../bench/summarize.js';

describe('scriptsPerAcceptedDelivery', () => {
  it('is EVALSHA plus EVAL over the deliveries hookguard accepted; commands run inside scripts do not count', () => {
    const detail = { redis_commands_total: { evalsha: 139, eval: 1, get: 1_000, incr: 2_000, set: 2_000 }, outcomes_total: { accepted: 1_000, rejected: 3 } };
    assert.equal(scriptsPerAcceptedDelivery(detail), 0.14);
  });

  it('is null without Redis commands or without accepted deliveries', () => {
    assert.equal(scriptsPerAcceptedDelivery(undefined), null);
    assert.equal(scriptsPerAcceptedDelivery({ outcomes_total: { accepted: 10 } }), null);
    assert.equal(scriptsPerAcceptedDelivery({ redis_commands_total: { evalsha: 5 }, outcomes_total: { accepted: 0 } }), null);
  });
});

describe('checkTargets: Redis scripts per accepted delivery in the measured windows', () => {
  const inputs = (saturation: Record<string, unknown> | undefined, fixed: Record<string, unknown> | undefined): TargetInputs => ({
    ratios: { saturation: {}, fixed: {} },
    summaries: { saturation: {}, fixed: {} },
    details: { saturation: saturation ? { 'hookguard-redis': saturation } : {}, fixed: fixed ? { 'hookguard-redis': fixed } : {} },
    scaleRatio: () => null,
    subject: 'hookguard-redis',
  });
  const row = (input: TargetInputs) => checkTargets(input).find((check) => check.figure.startsWith('Redis scripts per accepted delivery'))!;
  const window = (scripts: number, accepted: number) => ({ redis_commands_total: { evalsha: scripts }, outcomes_total: { accepted } });

  it('takes the higher of the two shapes, and is met at 1 or less', () => {
    assert.deepEqual([row(inputs(window(14, 100), window(98, 100))).value, row(inputs(window(14, 100), window(98, 100))).met], [0.98, true]);
    assert.deepEqual([row(inputs(window(14, 100), window(201, 200))).value, row(inputs(window(14, 100), window(201, 200))).met], [1.005, false]);
  });

  it('uses the shape that ran, and is pending when neither did', () => {
    assert.equal(row(inputs(window(14, 100), undefined)).value, 0.14);
    assert.deepEqual([row(inputs(undefined, undefined)).value, row(inputs(undefined, undefined)).met], [null, null]);
  });
});
