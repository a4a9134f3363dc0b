import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { appHeaders } from '../../src/gateway/app-answer.js';

const raw = (...pairs: string[]): Buffer[] => pairs.map((s) => Buffer.from(s, 'latin1'));

describe('appHeaders: the app headers that go back to the client', () => {
  it('keeps names as spelled, values as sent, order and repeats', () => {
    const kept = appHeaders(raw('Content-Type', 'application/json', 'Set-Cookie', 'a=1', 'X-App', 'Zoë', 'set-cookie', 'b=2'));
    assert.deepEqual(kept, ['Content-Type', 'application/json', 'Set-Cookie', 'a=1', 'X-App', 'Zoë', 'set-cookie', 'b=2']);
  });

  it('drops hop-by-hop headers, the length (recomputed), Access-Control-* and the app\'s X-Request-Id', () => {
    const kept = appHeaders(
      raw(
        'Connection', 'keep-alive', 'Keep-Alive', 'timeout=5', 'Transfer-Encoding', 'chunked', 'Content-Length', '12',
        'Access-Control-Allow-Origin', '*', 'ACCESS-CONTROL-ALLOW-CREDENTIALS', 'true', 'x-request-id', 'from-the-app',
        'Upgrade', 'h2c', 'Trailer', 'X-T', 'X-Kept', 'yes',
      ),
    );
    assert.deepEqual(kept, ['X-Kept', 'yes']);
  });

  it('drops the headers the app\'s Connection header names, wherever they stand', () => {
    const kept = appHeaders(raw('X-Hop', '1', 'X-Kept', 'yes', 'Connection', 'close, X-Hop', 'connection', 'x-other', 'X-Other', '2'));
    assert.deepEqual(kept, ['X-Kept', 'yes']);
  });

  it('treats names such as __proto__ and constructor as plain headers', () => {
    assert.deepEqual(appHeaders(raw('__proto__', 'x', 'constructor', 'y')), ['__proto__', 'x', 'constructor', 'y']);
  });

  it('ignores a dangling name without a value', () => {
    assert.deepEqual(appHeaders(raw('X-A', '1', 'X-B')), ['X-A', '1']);
  });
});
