import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { connectionListed } from '../../src/gateway/hop-by-hop.js';

describe('connectionListed', () => {
  it('names no header for keep-alive or close, in any case, or for no Connection header', () => {
    for (const value of [undefined, 'keep-alive', 'Keep-Alive', 'close', 'CLOSE', ['keep-alive']]) assert.deepEqual([...connectionListed(value)], [], String(value));
  });

  it('lists every other token, trimmed and lower-cased, from one value or several', () => {
    assert.deepEqual([...connectionListed('keep-alive, X-Trace ,Upgrade')], ['keep-alive', 'x-trace', 'upgrade']);
    assert.deepEqual([...connectionListed('X-Hop')], ['x-hop']);
    assert.deepEqual([...connectionListed(['close', 'X-A, x-b'])], ['close', 'x-a', 'x-b']);
    assert.deepEqual([...connectionListed(' , ,')], []);
  });

  it('a value of the same length as keep-alive or close is still read', () => {
    assert.deepEqual([...connectionListed('x-trace-id')], ['x-trace-id']);
    assert.deepEqual([...connectionListed('x-abc')], ['x-abc']);
  });
});
