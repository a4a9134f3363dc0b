import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseDuration } from '../../src/tokens/parse-duration.js';

describe('parseDuration', () => {
  const cases: ReadonlyArray<readonly [string, number | undefined]> = [
    ['30s', 30_000],
    ['15m', 900_000],
    ['24h', 86_400_000],
    ['7d', 604_800_000],
    ['0s', 0],
    ['366d', 366 * 86_400_000],
    ['367d', undefined],
    ['1w', undefined],
    ['1.5h', undefined],
    ['-1h', undefined],
    ['h', undefined],
    ['24', undefined],
    ['1h30m', undefined],
    ['', undefined],
  ];
  for (const [text, expected] of cases) {
    it(`${JSON.stringify(text)} → ${expected === undefined ? 'refused' : `${expected} ms`}`, () => {
      assert.equal(parseDuration(text), expected);
    });
  }
});
