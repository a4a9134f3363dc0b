import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { clientAddress } from '../../src/net/client-address.js';
import { compileSourceMatcher } from '../../src/net/source-matcher.js';
import { normalizeAddress } from '../../src/net/normalize-address.js';

const trusted = compileSourceMatcher(['10.0.0.0/8', 'fd00::/8']).matcher;

describe('clientAddress', () => {
  const cases: [string, string | undefined, string | undefined, string | undefined][] = [
    // [peer, X-Forwarded-For, trusted?, expected]
    ['203.0.113.5', undefined, 'yes', '203.0.113.5'],
    ['203.0.113.5', '10.1.1.1', 'yes', '203.0.113.5'],
    ['10.0.0.2', '198.51.100.1', 'yes', '198.51.100.1'],
    ['10.0.0.2', '6.6.6.6, 198.51.100.1', 'yes', '198.51.100.1'],
    ['10.0.0.2', '198.51.100.1, 10.0.0.9', 'yes', '198.51.100.1'],
    ['10.0.0.2', '10.0.0.8, 10.0.0.9', 'yes', '10.0.0.8'],
    ['10.0.0.2', 'garbage, 10.0.0.9', 'yes', '10.0.0.9'],
    ['::ffff:10.0.0.2', '198.51.100.1', 'yes', '198.51.100.1'],
    ['::ffff:203.0.113.5', undefined, 'yes', '203.0.113.5'],
    ['fd00::1', '2001:db8::7', 'yes', '2001:db8::7'],
    ['10.0.0.2', '198.51.100.1', undefined, '10.0.0.2'],
    ['10.0.0.2', '[2001:db8::9]', 'yes', '2001:db8::9'],
  ];
  for (const [peer, xff, trust, expected] of cases) {
    it(`peer ${peer}, X-Forwarded-For ${xff ?? '(none)'}${trust ? '' : ', no trusted proxies'} -> ${expected}`, () => {
      assert.equal(clientAddress(peer, xff, trust ? trusted : undefined)?.toString(), expected);
    });
  }
});

describe('compileSourceMatcher', () => {
  const { matcher, problems } = compileSourceMatcher(['192.0.2.0/24', '2001:db8::/32', '198.51.100.7', '::ffff:203.0.113.0/120']);
  it('compiles CIDRs, bare addresses and IPv4-mapped ranges', () => assert.deepEqual(problems, []));
  const table: [string, boolean][] = [
    ['192.0.2.77', true],
    ['::ffff:192.0.2.77', true],
    ['192.0.3.1', false],
    ['2001:db8:1::1', true],
    ['2001:db9::1', false],
    ['198.51.100.7', true],
    ['198.51.100.8', false],
    ['203.0.113.200', true],
  ];
  for (const [address, allowed] of table) {
    it(`${address} is ${allowed ? '' : 'not '}allowed`, () => assert.equal(matcher.matches(normalizeAddress(address)!), allowed));
  }
  it('reports bad entries by index', () => {
    assert.deepEqual(compileSourceMatcher(['10.0.0.0/8', 'nope', '1.2.3.4/40']).problems.map((p) => p.index), [1, 2]);
  });
});
