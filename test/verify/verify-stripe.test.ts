import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import Stripe from 'stripe';
import { BAD_SIGNATURE, BAD_TIMESTAMP, VERIFIED } from '../../src/verify/types.js';
import { stripe } from '../../src/verify/verify-stripe.js';
import { describeCommonCases } from './common-cases.js';
import { NOW, request, stripeFixture, TOLERANCE } from './fixtures.js';

describeCommonCases(stripeFixture);

const sdk = new Stripe('sk_test_hookguard');
const settings = (secrets: readonly string[]) => ({ secrets, toleranceSeconds: TOLERANCE });
const SECRET = 'whsec_test_secret';
const BODY = '{"id":"evt_test_webhook","object":"event"}';

function v1(secret: string, timestamp: string | number, body: string): string {
  return createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex');
}

function verifyHeader(header: string, body = BODY, secrets = [SECRET]) {
  return stripe.verify(request({ 'stripe-signature': header }, Buffer.from(body)), settings(secrets), NOW);
}

describe('stripe', () => {
  it('matches the SDK: the header generateTestHeaderString makes is t=<time>,v1=<HMAC of "t.body">', () => {
    const header = sdk.webhooks.generateTestHeaderString({ payload: BODY, secret: SECRET, timestamp: NOW });
    assert.equal(header, `t=${NOW},v1=${v1(SECRET, NOW, BODY)}`);
    assert.deepEqual(verifyHeader(header), VERIFIED);
  });

  it('and the SDK accepts what this verifier accepts', () => {
    const header = `t=${NOW},v1=${v1(SECRET, NOW, BODY)}`;
    const event = sdk.webhooks.constructEvent(BODY, header, SECRET, TOLERANCE, undefined, NOW * 1000);
    assert.equal(event.id, 'evt_test_webhook');
    assert.deepEqual(verifyHeader(header), VERIFIED);
  });

  it('uses the whsec_ secret as written, not base64-decoded', () => {
    const decodedKey = Buffer.from(SECRET.slice('whsec_'.length), 'base64');
    const wrong = createHmac('sha256', decodedKey).update(`${NOW}.${BODY}`).digest('hex');
    assert.deepEqual(verifyHeader(`t=${NOW},v1=${wrong}`), BAD_SIGNATURE);
  });

  const schemes: ReadonlyArray<readonly [string, () => string, typeof VERIFIED]> = [
    ['a valid v1 among several v1 (secret roll)', () => `t=${NOW},v1=${'0'.repeat(64)},v1=${v1(SECRET, NOW, BODY)}`, VERIFIED],
    ['a valid v1 next to a v0', () => `t=${NOW},v1=${v1(SECRET, NOW, BODY)},v0=${'1'.repeat(64)}`, VERIFIED],
    ['a valid v0 and no v1 (no downgrade)', () => `t=${NOW},v0=${v1(SECRET, NOW, BODY)}`, BAD_SIGNATURE],
    ['a valid signature under an unknown scheme v2', () => `t=${NOW},v2=${v1(SECRET, NOW, BODY)}`, BAD_SIGNATURE],
    ['a valid v1 next to a malformed v1', () => `t=${NOW},v1=zz,v1=${v1(SECRET, NOW, BODY)}`, VERIFIED],
    ['elements in another order', () => `v1=${v1(SECRET, NOW, BODY)},t=${NOW}`, VERIFIED],
    ['no t', () => `v1=${v1(SECRET, NOW, BODY)}`, BAD_SIGNATURE],
    ['two t (which one was signed?)', () => `t=${NOW},t=${NOW},v1=${v1(SECRET, NOW, BODY)}`, BAD_SIGNATURE],
    ['two headers joined by Node (", ")', () => `t=${NOW},v1=${v1(SECRET, NOW, BODY)}, t=${NOW},v1=${v1(SECRET, NOW, BODY)}`, BAD_SIGNATURE],
    ['an uppercase-hex v1 (same bytes)', () => `t=${NOW},v1=${v1(SECRET, NOW, BODY).toUpperCase()}`, VERIFIED],
    ['a t with a decimal part', () => `t=${NOW}.0,v1=${v1(SECRET, `${NOW}.0`, BODY)}`, BAD_TIMESTAMP],
  ];
  for (const [label, header, expected] of schemes) {
    it(`answers ${label}: ${expected.ok ? 'accepted' : (expected as { reason: string }).reason}`, () => {
      assert.deepEqual(verifyHeader(header()), expected);
    });
  }

  it('applies the tolerance to SDK-made stale and future headers', () => {
    for (const [offset, expected] of [[-TOLERANCE - 1, BAD_TIMESTAMP], [TOLERANCE + 1, BAD_TIMESTAMP], [-TOLERANCE, VERIFIED]] as const) {
      const header = sdk.webhooks.generateTestHeaderString({ payload: BODY, secret: SECRET, timestamp: NOW + offset });
      assert.deepEqual(verifyHeader(header), expected);
    }
  });

  describe('deliveryId: the event id from the body', () => {
    const cases: ReadonlyArray<readonly [string, string, string | undefined]> = [
      ['Stripe layout, id first', '{\n  "id": "evt_1NfLVZ2eZvKYlo2C",\n  "object": "event"\n}', 'evt_1NfLVZ2eZvKYlo2C'],
      ['id after other keys', '{"object":"event","data":{"object":{"id":"pi_123"}},"id":"evt_2"}', 'evt_2'],
      ['only a nested id', '{"object":"event","data":{"id":"pi_123"}}', undefined],
      ['an id with escapes', '{"id":"evt_\\u0031"}', 'evt_1'],
      ['a number id', '{"id":42}', undefined],
      ['an empty id', '{"id":""}', undefined],
      ['an id longer than 255 characters', `{"id":"${'x'.repeat(256)}"}`, undefined],
      ['not JSON', 'id=evt_1', undefined],
      ['a JSON array', '[{"id":"evt_1"}]', undefined],
      ['JSON null', 'null', undefined],
      ['an empty body', '', undefined],
    ];
    for (const [label, body, expected] of cases) {
      it(`reads ${label} as ${expected ?? 'nothing'}`, () => {
        assert.equal(stripe.deliveryId(request({}, Buffer.from(body))), expected);
      });
    }
  });
});
