import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MAX_RECONNECT_DELAY_MS, reconnectDelayMs } from '../../src/state/redis/reconnect-delay.js';

describe('reconnectDelayMs', () => {
  it('doubles from 50 ms and never exceeds the cap, however long the outage', () => {
    const noJitter = () => 1;
    assert.deepEqual([1, 2, 3, 4, 5, 6].map((n) => reconnectDelayMs(n, noJitter)), [50, 100, 200, 400, 800, 1_600]);
    for (const attempt of [7, 20, 1_000, 1e9]) assert.equal(reconnectDelayMs(attempt, noJitter), MAX_RECONNECT_DELAY_MS);
  });

  it('takes off at most a quarter as jitter, so replicas do not reconnect in lockstep', () => {
    assert.equal(reconnectDelayMs(30, () => 0), MAX_RECONNECT_DELAY_MS * 0.75);
    for (let i = 0; i < 100; i++) {
      const delay = reconnectDelayMs(30);
      assert.ok(delay >= MAX_RECONNECT_DELAY_MS * 0.75 && delay <= MAX_RECONNECT_DELAY_MS);
    }
  });

  it('always returns a number: ioredis stops reconnecting on anything else', () => {
    for (const attempt of [0, 1, 2, 100]) assert.equal(typeof reconnectDelayMs(attempt), 'number');
  });
});
