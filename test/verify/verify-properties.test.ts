import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import twilioSdk from 'twilio';
import type { IncomingHttpHeaders } from 'node:http';
import type { SignedRequest, VerifyResult } from '../../src/verify/types.js';
import { VERIFIED } from '../../src/verify/types.js';
import { joinBody } from '../../src/verify/join-body.js';
import type { SchemeFixture } from './fixtures.js';
import { ALL_FIXTURES, NOW, twilioFormFixture, withBody, withHeader } from './fixtures.js';

const RUNS = { numRuns: 250 };

function assertResultShape(result: VerifyResult): void {
  assert.ok(result.ok === true || result.reason === 'signature' || result.reason === 'timestamp', JSON.stringify(result));
}

/** Twilio signs form parameters, not bytes: two bodies are the same delivery when the SDK signs them alike. */
function sameTwilioParameters(a: Buffer, b: Buffer): boolean {
  const sign = (body: Buffer) => {
    const params: Record<string, string[]> = {};
    for (const [key, value] of new URLSearchParams(body.toString('utf8'))) (params[key] ??= []).push(value);
    return twilioSdk.getExpectedTwilioSignature('k', 'https://x/', params);
  };
  return sign(a) === sign(b);
}

/** `body` cut at the given offsets (sorted; a repeated offset makes an empty chunk). */
function cutInto(body: Buffer, cuts: readonly number[]): Buffer[] {
  const points = [0, ...[...cuts].sort((a, b) => a - b), body.length];
  const chunks: Buffer[] = [];
  for (let i = 1; i < points.length; i++) chunks.push(body.subarray(points[i - 1], points[i]));
  return chunks;
}

async function validDelivery(fixture: SchemeFixture) {
  const credential = fixture.credential();
  const delivery = await credential.sign({ body: fixture.body, timestamp: NOW });
  return { delivery, settings: fixture.settings([credential.setting]) };
}

for (const fixture of ALL_FIXTURES) {
  describe(`${fixture.name}: properties`, () => {
    if (fixture.signsBody) {
      it('refuses every single-byte change of a valid delivery body', async () => {
        const { delivery, settings } = await validDelivery(fixture);
        const signed = joinBody(delivery.body);
        fc.assert(
          fc.property(fc.nat({ max: signed.length - 1 }), fc.integer({ min: 1, max: 255 }), (index, flip) => {
            const body = Buffer.from(signed);
            body[index] = (body[index] ?? 0) ^ flip;
            const result = fixture.scheme.verify(withBody(delivery, body), settings, NOW);
            // For Twilio's form scheme a changed body may still carry the very same parameters
            // (a "+" for a space, "%2b" for "%2B"): only then may it pass.
            return !result.ok || (fixture === twilioFormFixture && sameTwilioParameters(body, signed));
          }),
          RUNS,
        );
      });
    }

    it('gives the same answer and delivery id however the body is cut into chunks (none empty, some empty, one byte each)', async () => {
      const { delivery, settings } = await validDelivery(fixture);
      const whole = joinBody(delivery.body);
      const expectedId = fixture.scheme.deliveryId(delivery);
      assert.deepEqual(fixture.scheme.verify(withBody(delivery, whole), settings, NOW), VERIFIED);
      const byteByByte = [...whole].map((byte) => Buffer.from([byte]));
      assert.deepEqual(fixture.scheme.verify(withBody(delivery, byteByByte), settings, NOW), VERIFIED);
      fc.assert(
        fc.property(fc.array(fc.nat({ max: whole.length }), { maxLength: 8 }), (cuts) => {
          const chunks = cutInto(whole, cuts);
          assert.ok(Buffer.concat(chunks).equals(whole));
          const request = withBody(delivery, chunks);
          return fixture.scheme.verify(request, settings, NOW).ok && fixture.scheme.deliveryId(request) === expectedId;
        }),
        RUNS,
      );
    });

    it('refuses every single-character change of the signature header (a hex letter changing case is the same signature)', async () => {
      const { delivery, settings } = await validDelivery(fixture);
      const header = String(delivery.headers[fixture.signatureHeader]);
      fc.assert(
        fc.property(fc.nat({ max: header.length - 1 }), fc.integer({ min: 0x20, max: 0x7e }), (index, code) => {
          const original = header[index] ?? '';
          const replacement = String.fromCharCode(code);
          fc.pre(replacement !== original);
          const mutated = header.slice(0, index) + replacement + header.slice(index + 1);
          const result = fixture.scheme.verify(withHeader(delivery, fixture.signatureHeader, mutated), settings, NOW);
          const hexCaseFlip = /[a-f]/i.test(original) && original.toLowerCase() === replacement.toLowerCase();
          return !result.ok || hexCaseFlip;
        }),
        RUNS,
      );
    });

    const withTimestampText = fixture.withTimestampText;
    if (withTimestampText !== undefined) {
      it('refuses any other timestamp text than the one signed', async () => {
        const { delivery, settings } = await validDelivery(fixture);
        fc.assert(
          fc.property(fc.oneof(fc.string(), fc.integer({ min: 0, max: 4_000_000_000 }).map(String)), (text) => {
            fc.pre(text !== String(NOW));
            return !fixture.scheme.verify(withTimestampText(delivery, text), settings, NOW).ok;
          }),
          RUNS,
        );
      });
    }

    it('never throws on arbitrary header values, bodies, URLs, secrets and clocks', async () => {
      const { delivery, settings } = await validDelivery(fixture);
      const value = fc.oneof(
        fc.string({ unit: 'binary' }),
        fc.string({ unit: 'binary-ascii' }),
        fc.array(fc.string(), { maxLength: 3 }),
        fc.constant(undefined),
        fc.constantFrom(...Object.values(delivery.headers).filter((v): v is string => typeof v === 'string')),
      );
      fc.assert(
        fc.property(
          fc.dictionary(fc.constantFrom(...fixture.headerNames), value),
          fc.oneof(
            fc.constant(delivery.body),
            fc.array(fc.uint8Array({ maxLength: 300 }).map((bytes) => Buffer.from(bytes)), { maxLength: 4 }),
          ),
          fc.oneof(fc.constant(delivery.url), fc.string({ unit: 'binary' })),
          fc.oneof(fc.constant(settings.secrets), fc.array(fc.string({ unit: 'binary' }), { maxLength: 3 })),
          fc.oneof(fc.constant(NOW), fc.integer(), fc.double()),
          (overrides, body, url, secrets, now) => {
            const headers: IncomingHttpHeaders = { ...delivery.headers, ...(overrides as IncomingHttpHeaders) };
            const req: SignedRequest = { headers, body, url };
            assertResultShape(fixture.scheme.verify(req, { ...settings, secrets }, now));
            const id = fixture.scheme.deliveryId(req);
            assert.ok(id === undefined || typeof id === 'string');
          },
        ),
        RUNS,
      );
    });
  });
}
