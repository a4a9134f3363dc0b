import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import twilioSdk from 'twilio';
import { BAD_SIGNATURE, VERIFIED } from '../../src/verify/types.js';
import type { SchemeSettings } from '../../src/verify/types.js';
import { twilio } from '../../src/verify/verify-twilio.js';
import { describeCommonCases } from './common-cases.js';
import { NOW, request, TOLERANCE, TWILIO_FORM_PARAMS, TWILIO_PUBLIC_URL, twilioFormFixture, twilioJsonFixture, withHeader } from './fixtures.js';

describeCommonCases(twilioJsonFixture);
describeCommonCases(twilioFormFixture);

const TOKEN = '12345';
const settingsFor = (publicUrl: string | undefined, secrets: readonly string[] = [TOKEN]): SchemeSettings => ({
  secrets,
  toleranceSeconds: TOLERANCE,
  ...(publicUrl !== undefined ? { publicUrl } : {}),
});
const form = (params: Record<string, string>) => Buffer.from(new URLSearchParams(params).toString());
const FORM_TYPE = { 'content-type': 'application/x-www-form-urlencoded' };

describe('twilio', () => {
  // twilio.com/docs/usage/webhooks/webhooks-security: the worked example of the signing rule.
  const DOC_PARAMS = { CallSid: 'CA1234567890ABCDE', Caller: '+12349013030', Digits: '1234', From: '+12349013030', To: '+18005551212' };
  const DOC_SIGNATURE = '0/KCTR6DLpKmkAf8muzZqo1nDgQ=';

  it("verifies Twilio's documented example (https://mycompany.com/myapp.php?foo=1&bar=2, token 12345)", () => {
    assert.equal(twilioSdk.getExpectedTwilioSignature(TOKEN, 'https://mycompany.com/myapp.php?foo=1&bar=2', DOC_PARAMS), DOC_SIGNATURE);
    const delivery = request({ ...FORM_TYPE, 'x-twilio-signature': DOC_SIGNATURE }, form(DOC_PARAMS), '/myapp.php?foo=1&bar=2');
    assert.deepEqual(twilio.verify(delivery, settingsFor('https://mycompany.com/myapp.php'), NOW), VERIFIED);
  });

  it('takes scheme, host and path from publicUrl and the query from the request, as received', () => {
    // Behind an ingress the sidecar sees another host and path; only the query passes through unchanged.
    const delivery = request({ ...FORM_TYPE, 'x-twilio-signature': DOC_SIGNATURE }, form(DOC_PARAMS), '/myapp.php?foo=1&bar=2');
    const cases: ReadonlyArray<readonly [string, string, typeof VERIFIED]> = [
      ['the URL Twilio called', 'https://mycompany.com/myapp.php', VERIFIED],
      ['the same URL with the default port written out', 'https://mycompany.com:443/myapp.php', VERIFIED],
      ['http instead of https', 'http://mycompany.com/myapp.php', BAD_SIGNATURE],
      ['another host', 'https://internal.mycompany.com/myapp.php', BAD_SIGNATURE],
      ['another path', 'https://mycompany.com/other.php', BAD_SIGNATURE],
      ['a non-default port', 'https://mycompany.com:8443/myapp.php', BAD_SIGNATURE],
    ];
    for (const [label, publicUrl, expected] of cases) {
      assert.deepEqual(twilio.verify(delivery, settingsFor(publicUrl), NOW), expected, label);
    }
  });

  it('accepts a signature made over the URL with the default port, as some Twilio products sign', () => {
    const signature = twilioSdk.getExpectedTwilioSignature(TOKEN, 'https://mycompany.com:443/myapp.php?foo=1&bar=2', DOC_PARAMS);
    const delivery = request({ ...FORM_TYPE, 'x-twilio-signature': signature }, form(DOC_PARAMS), '/myapp.php?foo=1&bar=2');
    assert.deepEqual(twilio.verify(delivery, settingsFor('https://mycompany.com/myapp.php'), NOW), VERIFIED);
  });

  it('takes a non-default port as written, and only as written', () => {
    const signature = twilioSdk.getExpectedTwilioSignature(TOKEN, 'https://mycompany.com:8443/myapp.php', DOC_PARAMS);
    const delivery = request({ ...FORM_TYPE, 'x-twilio-signature': signature }, form(DOC_PARAMS), '/myapp.php');
    assert.deepEqual(twilio.verify(delivery, settingsFor('https://mycompany.com:8443/myapp.php'), NOW), VERIFIED);
    assert.deepEqual(twilio.verify(delivery, settingsFor('https://mycompany.com/myapp.php'), NOW), BAD_SIGNATURE);
  });

  it('refuses a changed, reordered or dropped query parameter', () => {
    for (const query of ['?foo=1&bar=3', '?bar=2&foo=1', '?foo=1', '', '?foo=1&bar=2&x=1']) {
      const delivery = request({ ...FORM_TYPE, 'x-twilio-signature': DOC_SIGNATURE }, form(DOC_PARAMS), `/myapp.php${query}`);
      assert.deepEqual(twilio.verify(delivery, settingsFor('https://mycompany.com/myapp.php'), NOW), BAD_SIGNATURE, query);
    }
  });

  it('accepts the same form parameters in another order and encoding (Twilio signs parameters, not bytes)', () => {
    const body = Buffer.from('To=%2B18005551212&From=%2B12349013030&Digits=1234&Caller=%2b12349013030&CallSid=CA1234567890ABCDE');
    const delivery = request({ ...FORM_TYPE, 'x-twilio-signature': DOC_SIGNATURE }, body, '/myapp.php?foo=1&bar=2');
    assert.deepEqual(twilio.verify(delivery, settingsFor('https://mycompany.com/myapp.php'), NOW), VERIFIED);
  });

  it('refuses an added form parameter', () => {
    const delivery = request({ ...FORM_TYPE, 'x-twilio-signature': DOC_SIGNATURE }, form({ ...DOC_PARAMS, Extra: '' }), '/myapp.php?foo=1&bar=2');
    assert.deepEqual(twilio.verify(delivery, settingsFor('https://mycompany.com/myapp.php'), NOW), BAD_SIGNATURE);
  });

  it('signs repeated form keys the way the SDK does (distinct values, sorted)', () => {
    const params = { Tag: ['b', 'a', 'b'], To: '+1' } as unknown as Record<string, string>;
    const signature = twilioSdk.getExpectedTwilioSignature(TOKEN, `${TWILIO_PUBLIC_URL}`, params);
    const delivery = request({ ...FORM_TYPE, 'x-twilio-signature': signature }, Buffer.from('Tag=b&Tag=a&Tag=b&To=%2B1'), '/hooks/twilio');
    assert.deepEqual(twilio.verify(delivery, settingsFor(TWILIO_PUBLIC_URL), NOW), VERIFIED);
  });

  it('refuses a non-empty body that is neither form-encoded nor covered by bodySHA256', () => {
    const body = form(TWILIO_FORM_PARAMS);
    const signature = twilioSdk.getExpectedTwilioSignature(TOKEN, TWILIO_PUBLIC_URL, TWILIO_FORM_PARAMS);
    for (const type of ['application/json', 'text/plain', undefined]) {
      const delivery = request({ 'x-twilio-signature': signature, ...(type ? { 'content-type': type } : {}) }, body, '/hooks/twilio');
      assert.deepEqual(twilio.verify(delivery, settingsFor(TWILIO_PUBLIC_URL), NOW), BAD_SIGNATURE, String(type));
    }
    const withCharset = request({ 'x-twilio-signature': signature, 'content-type': 'Application/X-WWW-Form-Urlencoded; charset=utf-8' }, body, '/hooks/twilio');
    assert.deepEqual(twilio.verify(withCharset, settingsFor(TWILIO_PUBLIC_URL), NOW), VERIFIED);
  });

  describe('JSON bodies (bodySHA256)', () => {
    const body = Buffer.from('{"EventType":"onMessageAdded","Body":"hi"}');
    const hash = twilioSdk.getExpectedBodyHash(body.toString());
    const sign = (query: string) => twilioSdk.getExpectedTwilioSignature(TOKEN, TWILIO_PUBLIC_URL + query, {});
    const json = { 'content-type': 'application/json' };

    it('accepts what validateRequestWithBody accepts', () => {
      const query = `?bodySHA256=${hash}`;
      assert.equal(twilioSdk.validateRequestWithBody(TOKEN, sign(query), TWILIO_PUBLIC_URL + query, body.toString()), true);
      assert.deepEqual(twilio.verify(request({ ...json, 'x-twilio-signature': sign(query) }, body, `/hooks/twilio${query}`), settingsFor(TWILIO_PUBLIC_URL), NOW), VERIFIED);
    });

    const cases: ReadonlyArray<readonly [string, string, string]> = [
      ['a bodySHA256 of another body, correctly signed', `?bodySHA256=${'0'.repeat(64)}`, `?bodySHA256=${'0'.repeat(64)}`],
      ['two bodySHA256 parameters', `?bodySHA256=${hash}&bodySHA256=${hash}`, `?bodySHA256=${hash}&bodySHA256=${hash}`],
      ['a bodySHA256 that is not hex', '?bodySHA256=xyz', '?bodySHA256=xyz'],
      ['a signature over the URL without bodySHA256', `?bodySHA256=${hash}`, ''],
    ];
    for (const [label, query, signedQuery] of cases) {
      it(`refuses ${label}`, () => {
        const delivery = request({ ...json, 'x-twilio-signature': sign(signedQuery) }, body, `/hooks/twilio${query}`);
        assert.deepEqual(twilio.verify(delivery, settingsFor(TWILIO_PUBLIC_URL), NOW), BAD_SIGNATURE);
      });
    }
  });

  describe('Webhooks Rules (X-Twilio-Webhooks-Signature-Settings)', () => {
    const params = { MessageSid: 'SM1', Body: 'hi' };
    const body = form(params);
    const SHARED_KEY = 'shared-key-secret';

    it('verifies HMAC-SHA256 signatures made with the SharedKey when the header says so', () => {
      const signature = twilioSdk.getExpectedTwilioSignature(SHARED_KEY, TWILIO_PUBLIC_URL, params, 'HMAC_SHA256');
      const settingsHeader = 'key=webhooks_sharedkey_1,algorithm=HMAC_SHA256';
      assert.equal(twilioSdk.validateRequest(SHARED_KEY, signature, TWILIO_PUBLIC_URL, params, twilioSdk.getSignatureAlgorithm(settingsHeader)), true);
      const delivery = request({ ...FORM_TYPE, 'x-twilio-signature': signature, 'x-twilio-webhooks-signature-settings': settingsHeader }, body, '/hooks/twilio');
      assert.deepEqual(twilio.verify(delivery, settingsFor(TWILIO_PUBLIC_URL, [TOKEN, SHARED_KEY]), NOW), VERIFIED);
      // The same signature without the header is read as SHA-1 and refused.
      assert.deepEqual(twilio.verify(withHeader(delivery, 'x-twilio-webhooks-signature-settings', undefined), settingsFor(TWILIO_PUBLIC_URL, [TOKEN, SHARED_KEY]), NOW), BAD_SIGNATURE);
    });

    it('refuses an algorithm it does not know', () => {
      const signature = twilioSdk.getExpectedTwilioSignature(TOKEN, TWILIO_PUBLIC_URL, params);
      const delivery = request({ ...FORM_TYPE, 'x-twilio-signature': signature, 'x-twilio-webhooks-signature-settings': 'algorithm=HMAC_MD5' }, body, '/hooks/twilio');
      assert.deepEqual(twilio.verify(delivery, settingsFor(TWILIO_PUBLIC_URL), NOW), BAD_SIGNATURE);
    });
  });

  it('puts the URL token back into the signed URL: Twilio called PATH/<token>', () => {
    const token = 'tok_0123456789abcdefghijklmnopqrstuv';
    const signature = twilioSdk.getExpectedTwilioSignature(TOKEN, `${TWILIO_PUBLIC_URL}/${token}?x=1`, DOC_PARAMS);
    const delivery = { ...request({ ...FORM_TYPE, 'x-twilio-signature': signature }, form(DOC_PARAMS), '/hooks/twilio?x=1'), urlToken: token };
    assert.deepEqual(twilio.verify(delivery, settingsFor(TWILIO_PUBLIC_URL), NOW), VERIFIED);
    assert.deepEqual(twilio.verify({ ...delivery, urlToken: `${token}x` }, settingsFor(TWILIO_PUBLIC_URL), NOW), BAD_SIGNATURE);
    assert.deepEqual(twilio.verify({ ...delivery, urlToken: undefined }, settingsFor(TWILIO_PUBLIC_URL), NOW), BAD_SIGNATURE);
  });

  it('refuses everything when publicUrl is missing (config requires it)', async () => {
    const credential = twilioFormFixture.credential();
    const delivery = await credential.sign({ body: twilioFormFixture.body, timestamp: NOW });
    assert.deepEqual(twilio.verify(delivery, settingsFor(undefined, [credential.setting]), NOW), BAD_SIGNATURE);
  });

  describe('settingsProblems', () => {
    const cases: ReadonlyArray<readonly [string | undefined, number]> = [
      ['https://hooks.example.com/hooks/twilio', 0],
      ['https://hooks.example.com:8443/twilio', 0],
      [undefined, 1],
      ['hooks.example.com/twilio', 1],
      ['https://hooks.example.com/twilio?x=1', 1],
      ['https://hooks.example.com/twilio#rc=2', 1],
    ];
    for (const [publicUrl, count] of cases) {
      it(`reports ${count} problem(s) for publicUrl ${String(publicUrl)}`, () => {
        assert.equal(twilio.settingsProblems?.(settingsFor(publicUrl)).length, count);
      });
    }
  });

  it('uses I-Twilio-Idempotency-Token as the delivery id', () => {
    assert.equal(twilio.deliveryId(request({ 'i-twilio-idempotency-token': 'tok-1' }, Buffer.alloc(0))), 'tok-1');
    assert.equal(twilio.deliveryId(request({}, Buffer.alloc(0))), undefined);
  });
});
