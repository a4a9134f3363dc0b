import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BAD_SIGNATURE, BAD_TIMESTAMP, VERIFIED } from '../../src/verify/types.js';
import { slack } from '../../src/verify/verify-slack.js';
import { describeCommonCases } from './common-cases.js';
import { request, slackFixture, TOLERANCE } from './fixtures.js';

describeCommonCases(slackFixture);

// api.slack.com/authentication/verifying-requests-from-slack: the worked example.
const DOC_SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const DOC_TIMESTAMP = '1531420618';
const DOC_BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const DOC_SIGNATURE = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

const docRequest = (headers: Record<string, string> = {}) =>
  request({ 'x-slack-request-timestamp': DOC_TIMESTAMP, 'x-slack-signature': DOC_SIGNATURE, ...headers }, Buffer.from(DOC_BODY));
const settings = (secrets: readonly string[]) => ({ secrets, toleranceSeconds: TOLERANCE });
const docTime = Number(DOC_TIMESTAMP);

describe('slack', () => {
  it("verifies Slack's documented example at the time it was signed", () => {
    assert.deepEqual(slack.verify(docRequest(), settings([DOC_SECRET]), docTime + 60), VERIFIED);
  });

  it("refuses Slack's documented example six minutes later with reason timestamp (a replay)", () => {
    assert.deepEqual(slack.verify(docRequest(), settings([DOC_SECRET]), docTime + 360), BAD_TIMESTAMP);
  });

  const headerCases: ReadonlyArray<readonly [string, Record<string, string>, typeof VERIFIED]> = [
    ['a signature with another version prefix', { 'x-slack-signature': DOC_SIGNATURE.replace('v0=', 'v1=') }, BAD_SIGNATURE],
    ['a signature without its prefix', { 'x-slack-signature': DOC_SIGNATURE.slice(3) }, BAD_SIGNATURE],
    ['an empty timestamp', { 'x-slack-request-timestamp': '' }, BAD_SIGNATURE],
    ['a timestamp one second off', { 'x-slack-request-timestamp': String(docTime + 1) }, BAD_SIGNATURE],
  ];
  for (const [label, headers, expected] of headerCases) {
    it(`answers the documented example with ${label}: ${expected.ok ? 'accepted' : (expected as { reason: string }).reason}`, () => {
      assert.deepEqual(slack.verify(docRequest(headers), settings([DOC_SECRET]), docTime), expected);
    });
  }

  it('has no delivery id: Slack sends none worth de-duplicating on', () => {
    assert.equal(slack.deliveryId(docRequest({ 'x-slack-retry-num': '1' })), undefined);
  });
});
