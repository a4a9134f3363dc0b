import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { decodeTokenRecords, encodeTokenRecord } from '../../src/tokens/token-records.js';
import { encodeTokenChange, parseTokenChange } from '../../src/tokens/token-change.js';
import { generateToken } from '../../src/tokens/generate-token.js';
import { TOKEN_PATTERN } from '../../src/config/defaults.js';

const HASH_A = 'a'.repeat(64);
const HASH_B = 'b'.repeat(64);

describe('token records', () => {
  it('round-trip through the Redis hash format, oldest first', () => {
    const fields = { [HASH_B]: encodeTokenRecord({ createdAt: 2_000, expiresAt: 0 }), [HASH_A]: encodeTokenRecord({ createdAt: 1_000, expiresAt: 5_000 }) };
    assert.deepEqual(decodeTokenRecords(fields), [
      { hash: HASH_A, createdAt: 1_000, expiresAt: 5_000 },
      { hash: HASH_B, createdAt: 2_000, expiresAt: 0 },
    ]);
  });

  it('leave out fields that are not records (never mistake one for a token)', () => {
    assert.deepEqual(decodeTokenRecords({ [HASH_A]: 'garbage', short: '1:0', [HASH_B.toUpperCase()]: '1:0' }), []);
  });
});

describe('token change messages', () => {
  it('round-trip', () => {
    const change = { hook: 'github', event: 'rotated', id: '1a2b3c4d' } as const;
    assert.deepEqual(parseTokenChange(encodeTokenChange(change)), change);
  });

  it('anything else on the channel is ignored', () => {
    for (const message of ['', 'not json', '[]', 'null', '{"hook":"x","event":"deleted","id":"1"}', '{"hook":1,"event":"rotated","id":"1"}']) {
      assert.equal(parseTokenChange(message), undefined, message);
    }
  });
});

describe('generateToken', () => {
  it('makes 43 URL-safe characters that the config itself would accept, never twice the same', () => {
    const tokens = new Set(Array.from({ length: 200 }, generateToken));
    assert.equal(tokens.size, 200);
    for (const token of tokens) {
      assert.match(token, /^[A-Za-z0-9_-]{43}$/);
      assert.match(token, TOKEN_PATTERN);
    }
  });
});
