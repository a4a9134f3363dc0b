import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { BAD_SIGNATURE, BAD_TIMESTAMP, VERIFIED } from '../../src/verify/types.js';
import type { SchemeFixture } from './fixtures.js';
import { NOW, TOLERANCE, withBody, withHeader } from './fixtures.js';

/**
 * The cases every scheme must pass, registered once per fixture so that each scheme's test file
 * reads: the shared rules, then what is particular to the provider.
 */
export function describeCommonCases(fixture: SchemeFixture): void {
  const verify = (req: Parameters<SchemeFixture['scheme']['verify']>[0], secrets: readonly string[], now = NOW) =>
    fixture.scheme.verify(req, fixture.settings(secrets), now);

  describe(`${fixture.name}: the rules every scheme keeps (signed by ${fixture.signer})`, () => {
    it('accepts a delivery signed with the configured secret', async () => {
      const credential = fixture.credential();
      const delivery = await credential.sign({ body: fixture.body, timestamp: NOW });
      assert.deepEqual(verify(delivery, [credential.setting]), VERIFIED);
    });

    it('accepts a delivery signed with any of the active secrets (rotation overlap)', async () => {
      const older = fixture.credential();
      const newer = fixture.credential();
      for (const signer of [older, newer]) {
        const delivery = await signer.sign({ body: fixture.body, timestamp: NOW });
        assert.deepEqual(verify(delivery, [older.setting, newer.setting]), VERIFIED);
      }
    });

    it('refuses a delivery signed with a secret that is not configured', async () => {
      const configured = fixture.credential();
      const other = fixture.credential();
      const delivery = await other.sign({ body: fixture.body, timestamp: NOW });
      assert.deepEqual(verify(delivery, [configured.setting]), BAD_SIGNATURE);
    });

    it('refuses everything when no secret is configured', async () => {
      const credential = fixture.credential();
      const delivery = await credential.sign({ body: fixture.body, timestamp: NOW });
      assert.deepEqual(verify(delivery, []), BAD_SIGNATURE);
    });

    if (fixture.signsBody) {
      for (const position of ['first', 'middle', 'last'] as const) {
        it(`refuses the delivery when the ${position} body byte changes`, async () => {
          const credential = fixture.credential();
          const delivery = await credential.sign({ body: fixture.body, timestamp: NOW });
          const body = Buffer.from(fixture.body);
          const index = position === 'first' ? 0 : position === 'last' ? body.length - 1 : body.length >> 1;
          body[index] = (body[index] ?? 0) ^ 0x01;
          assert.deepEqual(verify(withBody(delivery, body), [credential.setting]), BAD_SIGNATURE);
        });
      }

      it('refuses the delivery when a byte is appended to the body', async () => {
        const credential = fixture.credential();
        const delivery = await credential.sign({ body: fixture.body, timestamp: NOW });
        assert.deepEqual(verify(withBody(delivery, Buffer.concat([fixture.body, Buffer.from('0')])), [credential.setting]), BAD_SIGNATURE);
      });
    }

    it('refuses a delivery without the signature header', async () => {
      const credential = fixture.credential();
      const delivery = await credential.sign({ body: fixture.body, timestamp: NOW });
      assert.deepEqual(verify(withHeader(delivery, fixture.signatureHeader, undefined), [credential.setting]), BAD_SIGNATURE);
    });

    it('refuses a request that has no headers at all', async () => {
      const credential = fixture.credential();
      assert.deepEqual(verify({ headers: {}, body: [fixture.body], url: '/' }, [credential.setting]), BAD_SIGNATURE);
    });

    const malformed: ReadonlyArray<readonly [string, (valid: string) => string | string[]]> = [
      ['empty', () => ''],
      ['plain text', () => 'not a signature'],
      ['a lone separator', () => '='],
      ['the valid value twice in one header', (valid) => `${valid}, ${valid}`],
      ['repeated (an array of two valid values)', (valid) => [valid, valid]],
      ['two characters short (wrong length)', (valid) => valid.slice(0, -2)],
      ['four characters too long (wrong length)', (valid) => `${valid}AAAA`],
      ['non-ASCII in place of the last character', (valid) => `${valid.slice(0, -1)}é`],
    ];
    for (const [label, mangle] of malformed) {
      it(`answers a signature header that is ${label} with reason signature, never an exception`, async () => {
        const credential = fixture.credential();
        const delivery = await credential.sign({ body: fixture.body, timestamp: NOW });
        const valid = String(delivery.headers[fixture.signatureHeader]);
        assert.deepEqual(verify(withHeader(delivery, fixture.signatureHeader, mangle(valid)), [credential.setting]), BAD_SIGNATURE);
      });
    }

    if (fixture.timestamped) {
      const window: ReadonlyArray<readonly [string, number, typeof VERIFIED]> = [
        ['exactly tolerance seconds old', NOW - TOLERANCE, VERIFIED],
        ['exactly tolerance seconds ahead', NOW + TOLERANCE, VERIFIED],
        ['one second staler than the tolerance', NOW - TOLERANCE - 1, BAD_TIMESTAMP],
        ['one second further ahead than the tolerance', NOW + TOLERANCE + 1, BAD_TIMESTAMP],
        ['a day old', NOW - 86_400, BAD_TIMESTAMP],
        ['a day ahead', NOW + 86_400, BAD_TIMESTAMP],
      ];
      for (const [label, timestamp, expected] of window) {
        it(`answers a validly signed delivery ${label}: ${expected.ok ? 'accepted' : 'reason timestamp'}`, async () => {
          const credential = fixture.credential();
          const delivery = await credential.sign({ body: fixture.body, timestamp });
          assert.deepEqual(verify(delivery, [credential.setting]), expected);
        });
      }

      if (fixture.timestampHeader !== undefined) {
        const timestampHeader = fixture.timestampHeader;
        it('refuses a delivery without the timestamp header with reason signature', async () => {
          const credential = fixture.credential();
          const delivery = await credential.sign({ body: fixture.body, timestamp: NOW });
          assert.deepEqual(verify(withHeader(delivery, timestampHeader, undefined), [credential.setting]), BAD_SIGNATURE);
        });
      }

      const withTimestampText = fixture.withTimestampText;
      if (withTimestampText !== undefined) {
        for (const garbled of ['soon', '1.8e9', '-1800000000', '+1800000000', '0x6b49d200', '1800000000.5']) {
          it(`answers a garbled timestamp ${JSON.stringify(garbled)} with reason timestamp`, async () => {
            const credential = fixture.credential();
            const delivery = await credential.sign({ body: fixture.body, timestamp: NOW });
            assert.deepEqual(verify(withTimestampText(delivery, garbled), [credential.setting]), BAD_TIMESTAMP);
          });
        }

        it('refuses a validly formed but different timestamp with reason signature (the time is signed)', async () => {
          const credential = fixture.credential();
          const delivery = await credential.sign({ body: fixture.body, timestamp: NOW });
          assert.deepEqual(verify(withTimestampText(delivery, String(NOW - 1)), [credential.setting]), BAD_SIGNATURE);
        });
      }
    }
  });
}
