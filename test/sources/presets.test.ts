import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import ipaddr from 'ipaddr.js';
import { SOURCE_PRESETS } from '../../src/sources/presets.js';
import { normalizeCidr } from '../../src/sources/normalize-cidr.js';
import { compileSourceMatcher } from '../../src/net/source-matcher.js';

describe('SOURCE_PRESETS', () => {
  it('ships the providers that publish their ranges, and no others', () => {
    assert.deepEqual(Object.keys(SOURCE_PRESETS).sort(), ['github', 'gitlab', 'stripe', 'svix-au', 'svix-ca', 'svix-eu', 'svix-in', 'svix-us']);
  });

  for (const [name, preset] of Object.entries(SOURCE_PRESETS)) {
    describe(name, () => {
      it('names its source as an https URL and the day it was taken', () => {
        assert.match(preset.source, /^https:\/\/\S+$/);
        assert.match(preset.takenOn, /^\d{4}-\d{2}-\d{2}$/);
        assert.ok(!Number.isNaN(Date.parse(`${preset.takenOn}T00:00:00Z`)));
      });

      it('holds only normalised, public CIDRs, each once', () => {
        assert.ok(preset.cidrs.length > 0);
        assert.equal(new Set(preset.cidrs).size, preset.cidrs.length);
        for (const cidr of preset.cidrs) assert.deepEqual(normalizeCidr(cidr), { ok: true, cidr });
      });

      it('compiles into the gateway source matcher without problems', () => {
        const { matcher, problems } = compileSourceMatcher(preset.cidrs);
        assert.deepEqual(problems, []);
        assert.equal(matcher.size, preset.cidrs.length);
      });

      if (preset.feed) {
        it('has an https feed to refresh from', () => {
          assert.match(preset.feed?.url ?? '', /^https:\/\//);
          assert.ok((preset.feed?.key ?? '').length > 0);
        });
      }
    });
  }

  const members: ReadonlyArray<readonly [string, string, boolean]> = [
    ['github', '140.82.115.10', true],
    ['github', '9.234.98.170', true],
    ['github', '2606:50c0:8000::1', true],
    ['github', '8.8.8.8', false],
    ['stripe', '54.187.216.72', true],
    ['stripe', '54.187.216.73', false],
    ['gitlab', '34.74.226.17', true],
    ['gitlab', '34.74.227.1', false],
    ['svix-eu', '52.215.16.239', true],
    ['svix-us', '52.215.16.239', false],
  ];
  for (const [name, address, expected] of members) {
    it(`${expected ? 'lets' : 'does not let'} ${address} through as ${name}`, () => {
      const { matcher } = compileSourceMatcher(SOURCE_PRESETS[name]?.cidrs ?? []);
      assert.equal(matcher.matches(ipaddr.parse(address)), expected);
    });
  }
});
