import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { normalizeCidr } from '../../src/sources/normalize-cidr.js';

describe('normalizeCidr', () => {
  const accepted: ReadonlyArray<readonly [string, string]> = [
    ['140.82.112.0/20', '140.82.112.0/20'],
    ['3.18.12.63', '3.18.12.63/32'],
    [' 3.18.12.63 ', '3.18.12.63/32'],
    ['140.82.112.5/20', '140.82.112.0/20'],
    ['2A0A:A440::/29', '2a0a:a440::/29'],
    ['2606:50c0:0:0:0:0:0:1', '2606:50c0::1/128'],
    ['9.0.0.0/8', '9.0.0.0/8'],
  ];
  for (const [entry, cidr] of accepted) {
    it(`reads ${JSON.stringify(entry)} as ${cidr}`, () => {
      assert.deepEqual(normalizeCidr(entry), { ok: true, cidr });
    });
  }

  const refused: ReadonlyArray<readonly [string, RegExp]> = [
    ['', /not an IP address/],
    ['github.com', /not an IP address/],
    ['0x7f.1', /not an IP address/],
    ['256.1.1.1', /not an IP address/],
    ['fe80::1%eth0', /not an IP address/],
    ['1.2.3.4/33', /longer than 32/],
    ['::1/129', /longer than 128/],
    ['1.2.3.4/', /prefix length/],
    ['1.2.3.4/-1', /prefix length/],
    ['1.2.3.4/ 8', /prefix length/],
    ['0.0.0.0/0', /wider than \/8/],
    ['9.0.0.0/7', /wider than \/8/],
    ['2000::/3', /wider than \/24/],
    ['10.0.0.0/8', /private/],
    ['127.0.0.1', /loopback/],
    ['192.168.1.0/24', /private/],
    ['169.254.169.254', /linkLocal/],
    ['100.64.0.0/10', /carrierGradeNat/],
    ['224.0.0.1', /multicast/],
    ['::1', /loopback/],
    ['fd12:3456:789a::/48', /uniqueLocal/],
    ['::ffff:1.2.3.4', /ipv4Mapped/],
    ['2001:db8::/32', /reserved/],
  ];
  for (const [entry, reason] of refused) {
    it(`refuses ${JSON.stringify(entry)}`, () => {
      const result = normalizeCidr(entry);
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.reason, reason);
    });
  }
});
