import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { BAD_SIGNATURE, VERIFIED } from '../../src/verify/types.js';
import { shopify } from '../../src/verify/verify-shopify.js';
import { describeCommonCases } from './common-cases.js';
import { NOW, request, shopifyFixture, TOLERANCE } from './fixtures.js';

describeCommonCases(shopifyFixture);

const settings = (secrets: readonly string[]) => ({ secrets, toleranceSeconds: TOLERANCE });

describe('shopify', () => {
  // A fixed vector computed with Python's hmac and base64, independent of node:crypto:
  //   base64(hmac.new(b"hush", b'{"id":820982911946154508}', sha256).digest())
  it('verifies a fixed known answer', () => {
    const body = Buffer.from('{"id":820982911946154508}');
    const digest = createHmac('sha256', 'hush').update(body).digest('base64');
    assert.equal(digest, 'qBvrsZF7RfB1iS6BX6IHqJTp5L911P7intnPeTPsH0I=');
    assert.deepEqual(shopify.verify(request({ 'x-shopify-hmac-sha256': digest }, body), settings(['hush']), NOW), VERIFIED);
  });

  it('refuses the hex spelling of a correct digest (Shopify sends base64)', () => {
    const body = Buffer.from('{"id":1}');
    const hexDigest = createHmac('sha256', 'hush').update(body).digest('hex');
    assert.deepEqual(shopify.verify(request({ 'x-shopify-hmac-sha256': hexDigest }, body), settings(['hush']), NOW), BAD_SIGNATURE);
  });

  it('refuses a non-canonical base64 spelling of a correct digest', () => {
    const body = Buffer.from('{"id":1}');
    const digest = createHmac('sha256', 'hush').update(body).digest('base64');
    // 32 bytes leave two unused bits in the last character before "=": setting one keeps the bytes.
    const last = digest.at(-2) ?? 'A';
    const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
    const sibling = alphabet[alphabet.indexOf(last) ^ 1] ?? 'A';
    const tampered = `${digest.slice(0, -2)}${sibling}=`;
    assert.deepEqual(Buffer.from(tampered, 'base64'), Buffer.from(digest, 'base64'));
    assert.deepEqual(shopify.verify(request({ 'x-shopify-hmac-sha256': tampered }, body), settings(['hush']), NOW), BAD_SIGNATURE);
  });

  describe('deliveryId', () => {
    const cases: ReadonlyArray<readonly [string, Record<string, string>, string | undefined]> = [
      ['X-Shopify-Webhook-Id, the delivery id', { 'x-shopify-webhook-id': 'w-1', 'x-shopify-event-id': 'e-1' }, 'w-1'],
      ['X-Shopify-Event-Id when no webhook id is sent', { 'x-shopify-event-id': 'e-1' }, 'e-1'],
      ['nothing when neither is sent', {}, undefined],
    ];
    for (const [label, headers, expected] of cases) {
      it(`is ${label}`, () => {
        assert.equal(shopify.deliveryId(request(headers, Buffer.alloc(0))), expected);
      });
    }
  });
});
