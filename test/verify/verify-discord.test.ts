import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createPrivateKey, createPublicKey, sign } from 'node:crypto';
import { BAD_SIGNATURE, VERIFIED } from '../../src/verify/types.js';
import { discord } from '../../src/verify/verify-discord.js';
import { describeCommonCases } from './common-cases.js';
import { discordFixture, NOW, rawPublicKeyHex, request, TOLERANCE } from './fixtures.js';

describeCommonCases(discordFixture);

// RFC 8032, section 7.1, TEST 2: a published Ed25519 key pair.
const RFC_SEED = '4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb';
const RFC_PUBLIC = '3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c';
const RFC_MESSAGE_R_SIGNATURE =
  '92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00';
// PKCS#8 header for a raw Ed25519 seed (RFC 8410).
const PKCS8_PREFIX = Buffer.from('302e020100300506032b657004220420', 'hex');
const rfcPrivateKey = createPrivateKey({ key: Buffer.concat([PKCS8_PREFIX, Buffer.from(RFC_SEED, 'hex')]), format: 'der', type: 'pkcs8' });

const settings = (secrets: readonly string[]) => ({ secrets, toleranceSeconds: TOLERANCE });

describe('discord', () => {
  it('builds keys the RFC 8032 way: the test-2 seed gives the published public key and signature', () => {
    assert.equal(rawPublicKeyHex(createPublicKey(rfcPrivateKey).export({ type: 'spki', format: 'der' })), RFC_PUBLIC);
    assert.equal(sign(null, Buffer.from('r'), rfcPrivateKey).toString('hex'), RFC_MESSAGE_R_SIGNATURE);
  });

  it('verifies a delivery signed with the RFC key against the public key given as hex', () => {
    const body = Buffer.from('{"type":1}');
    const signature = sign(null, Buffer.concat([Buffer.from(String(NOW)), body]), rfcPrivateKey).toString('hex');
    const delivery = request({ 'x-signature-ed25519': signature, 'x-signature-timestamp': String(NOW) }, body);
    assert.deepEqual(discord.verify(delivery, settings([RFC_PUBLIC]), NOW), VERIFIED);
    assert.deepEqual(discord.verify(delivery, settings([RFC_PUBLIC.toUpperCase()]), NOW), VERIFIED);
  });

  it('signs timestamp and body with no separator between them', () => {
    const body = Buffer.from('{"type":1}');
    const withDot = sign(null, Buffer.concat([Buffer.from(`${NOW}.`), body]), rfcPrivateKey).toString('hex');
    const delivery = request({ 'x-signature-ed25519': withDot, 'x-signature-timestamp': String(NOW) }, body);
    assert.deepEqual(discord.verify(delivery, settings([RFC_PUBLIC]), NOW), BAD_SIGNATURE);
  });

  it('refuses a signature that OpenSSL cannot even parse as a point, without throwing', () => {
    const delivery = request({ 'x-signature-ed25519': 'ff'.repeat(64), 'x-signature-timestamp': String(NOW) }, Buffer.from('{}'));
    assert.deepEqual(discord.verify(delivery, settings([RFC_PUBLIC]), NOW), BAD_SIGNATURE);
  });

  describe('settingsProblems', () => {
    const cases: ReadonlyArray<readonly [string, number]> = [
      [RFC_PUBLIC, 0],
      [RFC_PUBLIC.slice(2), 1],
      [`${RFC_PUBLIC}00`, 1],
      ['not a key', 1],
      [Buffer.from(RFC_PUBLIC, 'hex').toString('base64'), 1],
    ];
    for (const [secret, count] of cases) {
      it(`reports ${count} problem(s) for ${JSON.stringify(secret.slice(0, 20))}...`, () => {
        assert.equal(discord.settingsProblems?.(settings([secret])).length, count);
      });
    }
  });

  it('has no delivery id', () => {
    assert.equal(discord.deliveryId(request({ 'x-signature-timestamp': String(NOW) }, Buffer.from('{"id":"1"}'))), undefined);
  });
});
