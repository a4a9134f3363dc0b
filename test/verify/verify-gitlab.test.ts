import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { gitlab } from '../../src/verify/verify-gitlab.js';
import { describeCommonCases } from './common-cases.js';
import { gitlabFixture, request } from './fixtures.js';

describeCommonCases(gitlabFixture);

describe('gitlab deliveryId', () => {
  const cases: ReadonlyArray<readonly [string, Record<string, string>, string | undefined]> = [
    ['the Idempotency-Key, stable across retries', { 'idempotency-key': 'k-1', 'x-gitlab-event-uuid': 'e-1' }, 'k-1'],
    ['the event UUID when GitLab sends no Idempotency-Key', { 'x-gitlab-event-uuid': 'e-1' }, 'e-1'],
    ['nothing when neither is present', {}, undefined],
  ];
  for (const [label, headers, expected] of cases) {
    it(`is ${label}`, () => {
      assert.equal(gitlab.deliveryId(request(headers, Buffer.alloc(0))), expected);
    });
  }
});
