import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import { BAD_SIGNATURE, BAD_TIMESTAMP, VERIFIED } from '../../src/verify/types.js';
import { standard } from '../../src/verify/verify-standard.js';
import { describeCommonCases } from './common-cases.js';
import { request, standardFixture, svixFixture, TOLERANCE } from './fixtures.js';

describeCommonCases(standardFixture);
describeCommonCases(svixFixture);

// The reference vector of the Standard Webhooks libraries (standard-webhooks/standard-webhooks,
// libraries/javascript/src/webhook.test.ts, "sign function works"), also Svix's.
const VECTOR = {
  secret: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
  id: 'msg_p5jXN8AQM9LWM0D4loKWxJek',
  timestamp: 1614265330,
  payload: '{"test": 2432232314}',
  signature: 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=',
} as const;

const settings = (secrets: readonly string[]) => ({ secrets, toleranceSeconds: TOLERANCE });
const vectorRequest = (headers: Record<string, string> = {}) =>
  request(
    { 'webhook-id': VECTOR.id, 'webhook-timestamp': String(VECTOR.timestamp), 'webhook-signature': VECTOR.signature, ...headers },
    Buffer.from(VECTOR.payload),
  );

describe('standard', () => {
  it('passes the published test vector', () => {
    assert.equal(new StandardWebhook(VECTOR.secret).sign(VECTOR.id, new Date(VECTOR.timestamp * 1000), VECTOR.payload), VECTOR.signature);
    assert.equal(new SvixWebhook(VECTOR.secret).sign(VECTOR.id, new Date(VECTOR.timestamp * 1000), VECTOR.payload), VECTOR.signature);
    assert.deepEqual(standard.verify(vectorRequest(), settings([VECTOR.secret]), VECTOR.timestamp), VERIFIED);
  });

  it('accepts the secret without its whsec_ prefix, as the reference libraries do', () => {
    assert.deepEqual(standard.verify(vectorRequest(), settings([VECTOR.secret.slice('whsec_'.length)]), VECTOR.timestamp), VERIFIED);
  });

  it('decodes the secret: the whsec_ string itself is not the key', () => {
    assert.deepEqual(standard.verify(vectorRequest(), settings(['whsec_bm90IHRoZSBrZXk=']), VECTOR.timestamp), BAD_SIGNATURE);
  });

  it('refuses the published vector ten minutes later, and ten minutes earlier, with reason timestamp', () => {
    for (const now of [VECTOR.timestamp + 600, VECTOR.timestamp - 600]) {
      assert.deepEqual(standard.verify(vectorRequest(), settings([VECTOR.secret]), now), BAD_TIMESTAMP);
    }
  });

  const headerCases: ReadonlyArray<readonly [string, Record<string, string>, typeof VERIFIED]> = [
    ['the valid v1 among others (the spec example: several versions, space-separated)', { 'webhook-signature': `v1,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= v2,Ceo5qEr07ixe2NLpvHk3FH9bwy/WavXrAFQ/9tdO6mc= ${VECTOR.signature}` }, VERIFIED],
    ['the valid signature under v1a (the asymmetric version)', { 'webhook-signature': VECTOR.signature.replace('v1,', 'v1a,') }, BAD_SIGNATURE],
    ['the valid signature under v2', { 'webhook-signature': VECTOR.signature.replace('v1,', 'v2,') }, BAD_SIGNATURE],
    ['the valid signature without a version', { 'webhook-signature': VECTOR.signature.slice(3) }, BAD_SIGNATURE],
    ['two headers joined by Node (", ")', { 'webhook-signature': `${VECTOR.signature}, ${VECTOR.signature}` }, BAD_SIGNATURE],
    ['a truncated signature', { 'webhook-signature': VECTOR.signature.slice(0, 8) }, BAD_SIGNATURE],
    ['a bare "v1,"', { 'webhook-signature': 'v1,' }, BAD_SIGNATURE],
    ['another message id', { 'webhook-id': 'msg_other' }, BAD_SIGNATURE],
    ['a message id containing a dot', { 'webhook-id': `${VECTOR.id}.x` }, BAD_SIGNATURE],
  ];
  for (const [label, headers, expected] of headerCases) {
    it(`answers the vector with ${label}: ${expected.ok ? 'accepted' : (expected as { reason: string }).reason}`, () => {
      assert.deepEqual(standard.verify(vectorRequest(headers), settings([VECTOR.secret]), VECTOR.timestamp), expected);
    });
  }

  it('reads one family of headers, never a mix of webhook-* and svix-*', () => {
    const mixed = request(
      { 'webhook-id': VECTOR.id, 'svix-timestamp': String(VECTOR.timestamp), 'svix-signature': VECTOR.signature },
      Buffer.from(VECTOR.payload),
    );
    assert.deepEqual(standard.verify(mixed, settings([VECTOR.secret]), VECTOR.timestamp), BAD_SIGNATURE);
  });

  describe('deliveryId', () => {
    const cases: ReadonlyArray<readonly [string, Record<string, string>, string | undefined]> = [
      ['webhook-id', { 'webhook-id': 'msg_1', 'svix-id': 'msg_2' }, 'msg_1'],
      ['svix-id when the headers are not white-labelled', { 'svix-id': 'msg_2' }, 'msg_2'],
      ['nothing without an id', {}, undefined],
    ];
    for (const [label, headers, expected] of cases) {
      it(`is ${label}`, () => {
        assert.equal(standard.deliveryId(request(headers, Buffer.alloc(0))), expected);
      });
    }
  });

  describe('settingsProblems', () => {
    const cases: ReadonlyArray<readonly [string, number]> = [
      [VECTOR.secret, 0],
      ['MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw', 0],
      ['whsec_not base64!', 1],
      ['whsec_', 1],
      ['whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaS', 1],
    ];
    for (const [secret, count] of cases) {
      it(`reports ${count} problem(s) for secret ${JSON.stringify(secret)}`, () => {
        assert.equal(standard.settingsProblems?.(settings([secret])).length, count);
      });
    }

    it('never matches with a secret it cannot decode, and still matches with the good one next to it', () => {
      assert.deepEqual(standard.verify(vectorRequest(), settings(['whsec_%%%']), VECTOR.timestamp), BAD_SIGNATURE);
      assert.deepEqual(standard.verify(vectorRequest(), settings(['whsec_%%%', VECTOR.secret]), VECTOR.timestamp), VERIFIED);
    });
  });
});
