import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PROVIDERS } from '../../src/verify/types.js';
import { SCHEMES } from '../../src/verify/schemes.js';
import { DEFAULT_CONTENT_TYPES } from '../../src/verify/default-content-types.js';

describe('SCHEMES', () => {
  for (const provider of PROVIDERS) {
    it(`has a scheme for ${provider}`, () => {
      const scheme = SCHEMES[provider];
      assert.ok(scheme, provider);
      assert.equal(typeof scheme.verify, 'function');
      assert.equal(typeof scheme.deliveryId, 'function');
    });
  }
});

describe('DEFAULT_CONTENT_TYPES', () => {
  for (const provider of PROVIDERS) {
    it(`lists at least one lower-case media type without parameters for ${provider}`, () => {
      const types = DEFAULT_CONTENT_TYPES[provider];
      assert.ok(types.length > 0);
      for (const type of types) assert.match(type, /^[a-z0-9.+-]+\/[a-z0-9.+-]+$/);
    });
  }

  const expected: ReadonlyArray<readonly [typeof PROVIDERS[number], string]> = [
    ['twilio', 'application/x-www-form-urlencoded'],
    ['twilio', 'application/json'],
    ['slack', 'application/x-www-form-urlencoded'],
    ['slack', 'application/json'],
    ['github', 'application/json'],
    ['stripe', 'application/json'],
  ];
  for (const [provider, type] of expected) {
    it(`accepts ${type} from ${provider}, as the provider sends it`, () => {
      assert.ok(DEFAULT_CONTENT_TYPES[provider].includes(type));
    });
  }
});
