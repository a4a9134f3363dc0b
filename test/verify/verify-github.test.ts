import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import { BAD_SIGNATURE, VERIFIED } from '../../src/verify/types.js';
import { github } from '../../src/verify/verify-github.js';
import { describeCommonCases } from './common-cases.js';
import { githubFixture, NOW, request, TOLERANCE, withHeader } from './fixtures.js';

describeCommonCases(githubFixture);

const settings = (secrets: readonly string[]) => ({ secrets, toleranceSeconds: TOLERANCE });

describe('github', () => {
  // docs.github.com, "Validating webhook deliveries": the published test values.
  it("verifies GitHub's documented example (secret \"It's a Secret to Everybody\", payload \"Hello, World!\")", () => {
    const delivery = request(
      { 'x-hub-signature-256': 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17' },
      Buffer.from('Hello, World!'),
    );
    assert.deepEqual(github.verify(delivery, settings(["It's a Secret to Everybody"]), NOW), VERIFIED);
  });

  it('agrees with @octokit/webhooks-methods on the documented example', async () => {
    assert.equal(await sign("It's a Secret to Everybody", 'Hello, World!'), 'sha256=757107ea0eb2509fc211221cce984b8a37570b6d7586c22c46f4379c8b043e17');
  });

  it('does not accept the legacy SHA-1 header on its own, even when it is right', () => {
    const body = Buffer.from('{"zen":"Keep it logically awesome."}');
    const sha1 = `sha1=${createHmac('sha1', 'secret').update(body).digest('hex')}`;
    assert.deepEqual(github.verify(request({ 'x-hub-signature': sha1 }, body), settings(['secret']), NOW), BAD_SIGNATURE);
  });

  it('refuses a SHA-256 digest under another prefix', async () => {
    const delivery = await githubFixture.credential().sign({ body: githubFixture.body, timestamp: NOW });
    const header = String(delivery.headers['x-hub-signature-256']);
    for (const prefix of ['sha1=', 'SHA256=', 'sha256:', '']) {
      assert.deepEqual(github.verify(withHeader(delivery, 'x-hub-signature-256', prefix + header.slice(7)), settings(['x']), NOW), BAD_SIGNATURE);
    }
  });

  it('ignores the time: GitHub signs none, so an old delivery is for the replay record to catch', async () => {
    const credential = githubFixture.credential();
    const delivery = await credential.sign({ body: githubFixture.body, timestamp: NOW });
    assert.deepEqual(github.verify(delivery, settings([credential.setting]), NOW + 10 * 86_400), VERIFIED);
  });

  describe('deliveryId', () => {
    const cases: ReadonlyArray<readonly [string, Record<string, string | string[]>, string | undefined]> = [
      ['hook id and delivery GUID', { 'x-github-hook-id': '123', 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' }, '123:72d3162e-cc78-11e3-81ab-4c9367dc0958'],
      ['the delivery GUID alone when the hook id is absent', { 'x-github-delivery': '72d3162e-cc78-11e3-81ab-4c9367dc0958' }, '72d3162e-cc78-11e3-81ab-4c9367dc0958'],
      ['nothing without a delivery GUID', { 'x-github-hook-id': '123' }, undefined],
      ['nothing for an empty delivery GUID', { 'x-github-delivery': '' }, undefined],
      ['nothing for a repeated delivery header', { 'x-github-delivery': ['a', 'b'] }, undefined],
    ];
    for (const [label, headers, expected] of cases) {
      it(`is ${label}`, () => {
        assert.equal(github.deliveryId(request(headers, Buffer.alloc(0))), expected);
      });
    }

    it('tells apart one event delivered to two hooks', () => {
      const delivery = '72d3162e-cc78-11e3-81ab-4c9367dc0958';
      const first = github.deliveryId(request({ 'x-github-hook-id': '1', 'x-github-delivery': delivery }, Buffer.alloc(0)));
      const second = github.deliveryId(request({ 'x-github-hook-id': '2', 'x-github-delivery': delivery }, Buffer.alloc(0)));
      assert.notEqual(first, second);
    });
  });
});
