import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import Stripe from 'stripe';
import type { HmacSettings } from '../../src/verify/types.js';
import { BAD_SIGNATURE, BAD_TIMESTAMP, VERIFIED } from '../../src/verify/types.js';
import { hmac } from '../../src/verify/verify-hmac.js';
import { describeCommonCases } from './common-cases.js';
import { hmacPlainFixture, hmacTimestampedFixture, NOW, request, TOLERANCE } from './fixtures.js';

describeCommonCases(hmacTimestampedFixture);
describeCommonCases(hmacPlainFixture);

const settings = (config: HmacSettings | undefined, secrets: readonly string[]) => ({
  secrets,
  toleranceSeconds: TOLERANCE,
  ...(config ? { hmac: config } : {}),
});

describe('hmac (generic)', () => {
  it("configured like GitHub, verifies GitHub's documented example", () => {
    const config: HmacSettings = { header: 'x-hub-signature-256', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=', payload: '{body}' };
    const delivery = request({ 'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' }, Buffer.from('Hello, World!'));
    assert.deepEqual(hmac.verify(delivery, settings(config, ["It's a Secret to Everybody"]), NOW), VERIFIED);
  });

  it("configured like Slack, verifies Slack's documented example and enforces its timestamp", () => {
    const config: HmacSettings = {
      header: 'X-Slack-Signature',
      algorithm: 'sha256',
      encoding: 'hex',
      prefix: 'v0=',
      timestampHeader: 'X-Slack-Request-Timestamp',
      payload: 'v0:{timestamp}:{body}',
    };
    const body = Buffer.from(
      'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c',
    );
    const delivery = request(
      { 'x-slack-request-timestamp': '1531420618', 'x-slack-signature': 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503' },
      body,
    );
    assert.deepEqual(hmac.verify(delivery, settings(config, ['8f742231b10e8888abcd99yyyzzz85a5']), 1531420618), VERIFIED);
    assert.deepEqual(hmac.verify(delivery, settings(config, ['8f742231b10e8888abcd99yyyzzz85a5']), 1531420618 + 301), BAD_TIMESTAMP);
  });

  it('configured like GitHub, accepts what @octokit/webhooks-methods signs', async () => {
    const config: HmacSettings = { header: 'x-hub-signature-256', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=', payload: '{body}' };
    const body = '{"action":"opened"}';
    const delivery = request({ 'x-hub-signature-256': await sign('s3cret', body) }, Buffer.from(body));
    assert.deepEqual(hmac.verify(delivery, settings(config, ['s3cret']), NOW), VERIFIED);
  });

  it("with a {timestamp}.{body} template, accepts the v1 of Stripe's SDK given t in its own header", () => {
    const config: HmacSettings = { header: 'x-sig', algorithm: 'sha256', encoding: 'hex', prefix: '', timestampHeader: 'x-ts', payload: '{timestamp}.{body}' };
    const body = '{"id":"evt_1"}';
    const header = new Stripe('sk_test_x').webhooks.generateTestHeaderString({ payload: body, secret: 'whsec_x', timestamp: NOW });
    const v1 = /v1=([0-9a-f]{64})/.exec(header)?.[1] ?? '';
    assert.deepEqual(hmac.verify(request({ 'x-sig': v1, 'x-ts': String(NOW) }, Buffer.from(body)), settings(config, ['whsec_x']), NOW), VERIFIED);
  });

  const algorithms: ReadonlyArray<readonly [HmacSettings['algorithm'], HmacSettings['encoding']]> = [
    ['sha1', 'hex'], ['sha1', 'base64'], ['sha256', 'hex'], ['sha256', 'base64'], ['sha512', 'hex'], ['sha512', 'base64'],
  ];
  for (const [algorithm, encoding] of algorithms) {
    it(`verifies ${algorithm} in ${encoding}, and refuses the other algorithms' digests`, () => {
      const config: HmacSettings = { header: 'x-sig', algorithm, encoding, prefix: '', payload: '{body}' };
      const body = Buffer.from('payload');
      for (const [other] of algorithms) {
        const digest = createHmac(other, 'k').update(body).digest(encoding);
        const expected = other === algorithm ? VERIFIED : BAD_SIGNATURE;
        assert.deepEqual(hmac.verify(request({ 'x-sig': digest }, body), settings(config, ['k']), NOW), expected, `${other} digest`);
      }
    });
  }

  it('repeats {body} and {timestamp} as often as the template says', () => {
    const config: HmacSettings = { header: 'x-sig', algorithm: 'sha256', encoding: 'hex', prefix: '', timestampHeader: 'x-ts', payload: '{timestamp}|{body}|{timestamp}' };
    const body = Buffer.from('b');
    const digest = createHmac('sha256', 'k').update(`${NOW}|b|${NOW}`).digest('hex');
    assert.deepEqual(hmac.verify(request({ 'x-sig': digest, 'x-ts': String(NOW) }, body), settings(config, ['k']), NOW), VERIFIED);
  });

  it('matches the prefix exactly, case included', () => {
    const config: HmacSettings = { header: 'x-sig', algorithm: 'sha256', encoding: 'hex', prefix: 'sha256=', payload: '{body}' };
    const digest = createHmac('sha256', 'k').update('b').digest('hex');
    assert.deepEqual(hmac.verify(request({ 'x-sig': `SHA256=${digest}` }, Buffer.from('b')), settings(config, ['k']), NOW), BAD_SIGNATURE);
  });

  it('refuses everything without hmac settings', async () => {
    const credential = hmacPlainFixture.credential();
    const delivery = await credential.sign({ body: hmacPlainFixture.body, timestamp: NOW });
    assert.deepEqual(hmac.verify(delivery, settings(undefined, [credential.setting]), NOW), BAD_SIGNATURE);
  });

  it('refuses a template that needs a timestamp when no timestamp header is configured', () => {
    const config: HmacSettings = { header: 'x-sig', algorithm: 'sha256', encoding: 'hex', prefix: '', payload: '{timestamp}.{body}' };
    const digest = createHmac('sha256', 'k').update('.b').digest('hex');
    assert.deepEqual(hmac.verify(request({ 'x-sig': digest }, Buffer.from('b')), settings(config, ['k']), NOW), BAD_SIGNATURE);
  });

  describe('settingsProblems', () => {
    const base: HmacSettings = { header: 'x-sig', algorithm: 'sha256', encoding: 'hex', prefix: '', payload: '{body}' };
    const cases: ReadonlyArray<readonly [string, HmacSettings | undefined, number]> = [
      ['a complete configuration', base, 0],
      ['no hmac settings', undefined, 1],
      ['a template without {body}', { ...base, payload: '{timestamp}' , timestampHeader: 'x-ts' }, 1],
      ['{timestamp} without a timestamp header', { ...base, payload: '{timestamp}.{body}' }, 1],
    ];
    for (const [label, config, count] of cases) {
      it(`reports ${count} problem(s) for ${label}`, () => {
        assert.equal(hmac.settingsProblems?.(settings(config, ['k'])).length, count);
      });
    }
  });

  it('has no delivery id', () => {
    assert.equal(hmac.deliveryId(request({ 'x-request-id': '1' }, Buffer.alloc(0))), undefined);
  });
});
