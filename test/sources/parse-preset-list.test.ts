import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parsePresetList } from '../../src/sources/parse-preset-list.js';

// Shapes as the providers serve them: GitHub's meta document holds many keys besides "hooks".
const GITHUB_META = {
  verifiable_password_authentication: false,
  ssh_key_fingerprints: { SHA256_ED25519: '+DiY3wvvV6TuJJhbpZisF/zLDA0zPMSvHdkr4UvCOqU' },
  hooks: ['192.30.252.0/22', '185.199.108.0/22', '140.82.112.0/20', '143.55.64.0/20', '2a0a:a440::/29', '2606:50c0::/32'],
  web: ['192.30.252.0/22'],
  api: ['192.30.252.0/22'],
  git: ['192.30.252.0/22'],
};
const STRIPE_IPS = { WEBHOOKS: ['3.18.12.63', '3.130.192.231', '13.235.14.237'] };
const SVIX_IPS = { us: ['44.228.126.217', '2600:1f24:64:8000::/56'], eu: ['52.215.16.239'] };

describe('parsePresetList', () => {
  it("reads GitHub's meta document: the hooks key only", () => {
    assert.deepEqual(parsePresetList('github', GITHUB_META), { ok: true, cidrs: GITHUB_META.hooks });
  });

  it("reads Stripe's ips_webhooks.json, bare addresses becoming /32", () => {
    assert.deepEqual(parsePresetList('stripe', STRIPE_IPS), { ok: true, cidrs: ['3.18.12.63/32', '3.130.192.231/32', '13.235.14.237/32'] });
  });

  it("reads Svix's document by region", () => {
    assert.deepEqual(parsePresetList('svix-us', SVIX_IPS), { ok: true, cidrs: ['44.228.126.217/32', '2600:1f24:64:8000::/56'] });
    assert.deepEqual(parsePresetList('svix-eu', SVIX_IPS), { ok: true, cidrs: ['52.215.16.239/32'] });
  });

  it('accepts the document as text, as fetched', () => {
    assert.deepEqual(parsePresetList('stripe', JSON.stringify(STRIPE_IPS)), parsePresetList('stripe', STRIPE_IPS));
  });

  it('normalises and removes duplicates', () => {
    assert.deepEqual(parsePresetList('stripe', { WEBHOOKS: ['3.18.12.63', '3.18.12.63/32', ' 3.18.12.63 '] }), { ok: true, cidrs: ['3.18.12.63/32'] });
  });

  const refused: ReadonlyArray<readonly [string, string, unknown, RegExp]> = [
    ['an unknown provider', 'bitbucket', STRIPE_IPS, /not a provider with published ranges/],
    ['a provider that publishes prose only', 'gitlab', { hooks: ['34.74.90.64/28'] }, /only as prose/],
    ['an inherited key, not a preset', 'constructor', {}, /not a provider/],
    ['text that is not JSON', 'stripe', '<html>Service Unavailable</html>', /not JSON/],
    ['a JSON array', 'stripe', ['3.18.12.63'], /not a JSON object/],
    ['JSON null', 'stripe', null, /not a JSON object/],
    ['a number', 'github', 42, /not a JSON object/],
    ["Stripe's shape for GitHub", 'github', STRIPE_IPS, /no "hooks" list/],
    ['the key holding a string', 'github', { hooks: '192.30.252.0/22' }, /no "hooks" list/],
    ['an empty list', 'github', { hooks: [] }, /empty/],
    ['a list of 5000 entries', 'stripe', { WEBHOOKS: Array.from({ length: 5000 }, () => '3.18.12.63') }, /more than/],
    ['an entry that is not a string', 'stripe', { WEBHOOKS: ['3.18.12.63', 42] }, /WEBHOOKS\[1\] is not a string/],
    ['an entry that is not an address', 'github', { hooks: ['192.30.252.0/22', 'example.com'] }, /hooks\[1\]: .*not an IP address/],
    ['an allow-all range', 'github', { hooks: ['0.0.0.0/0'] }, /wider than/],
    ['a private range', 'github', { hooks: ['192.30.252.0/22', '10.0.0.0/8'] }, /private/],
    ['a loopback address', 'stripe', { WEBHOOKS: ['127.0.0.1'] }, /loopback/],
    ['a key inherited from Object.prototype', 'github', Object.create({ hooks: ['192.30.252.0/22'] }), /no "hooks" list/],
  ];
  for (const [label, provider, document, reason] of refused) {
    it(`refuses ${label}`, () => {
      const result = parsePresetList(provider, document);
      assert.equal(result.ok, false);
      if (!result.ok) assert.match(result.reason, reason);
    });
  }
});
