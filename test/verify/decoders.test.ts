import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeHex } from '../../src/verify/decode-hex.js';
import { decodeBase64 } from '../../src/verify/decode-base64.js';
import { parseUnixSeconds } from '../../src/verify/parse-unix-seconds.js';
import { withinTolerance } from '../../src/verify/within-tolerance.js';

describe('decodeHex', () => {
  const cases: ReadonlyArray<readonly [string, number, string | undefined]> = [
    ['00ff', 2, '00ff'],
    ['00FF', 2, '00ff'],
    ['00f', 2, undefined],
    ['00fg', 2, undefined],
    ['00ff00', 2, undefined],
    ['0 ff', 2, undefined],
    ['', 0, ''],
  ];
  for (const [text, bytes, expected] of cases) {
    it(`reads ${JSON.stringify(text)} as ${bytes} bytes: ${expected ?? 'refused'}`, () => {
      assert.equal(decodeHex(text, bytes)?.toString('hex'), expected);
    });
  }
});

describe('decodeBase64', () => {
  const cases: ReadonlyArray<readonly [string, number | undefined, string | undefined]> = [
    ['AAEC', 3, '000102'],
    ['AAE=', 2, '0001'],
    ['AA==', 1, '00'],
    ['AAF=', 2, undefined], // non-canonical: the unused bits of "F" are not zero
    ['AB==', 1, undefined],
    ['AAE', 2, undefined], // padding is required
    ['AA-_', 3, undefined], // base64url is another alphabet
    ['AA E', 3, undefined],
    ['AAEC', 2, undefined],
    ['AAECAw==', undefined, '00010203'],
    ['', undefined, ''],
  ];
  for (const [text, bytes, expected] of cases) {
    it(`reads ${JSON.stringify(text)}${bytes === undefined ? '' : ` as ${bytes} bytes`}: ${expected ?? 'refused'}`, () => {
      assert.equal(decodeBase64(text, bytes)?.toString('hex'), expected);
    });
  }
});

describe('parseUnixSeconds', () => {
  const cases: ReadonlyArray<readonly [string, number | undefined]> = [
    ['1800000000', 1_800_000_000],
    ['0', 0],
    ['', undefined],
    ['1e9', undefined],
    ['+1', undefined],
    ['-1', undefined],
    ['1.5', undefined],
    [' 1', undefined],
    ['0x10', undefined],
    ['1234567890123', undefined],
  ];
  for (const [text, expected] of cases) {
    it(`reads ${JSON.stringify(text)} as ${expected ?? 'not a timestamp'}`, () => {
      assert.equal(parseUnixSeconds(text), expected);
    });
  }
});

describe('withinTolerance', () => {
  const cases: ReadonlyArray<readonly [number, boolean]> = [
    [0, true],
    [300, true],
    [-300, true],
    [301, false],
    [-301, false],
  ];
  for (const [offset, expected] of cases) {
    it(`${expected ? 'accepts' : 'refuses'} a timestamp ${offset} seconds from now with a 300 s tolerance`, () => {
      assert.equal(withinTolerance(1_000 + offset, 1_000, 300), expected);
    });
  }
});
