import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MemoryReplayLog } from '../../src/state/memory-replay-log.js';

describe('MemoryReplayLog', () => {
  it('claims, answers in flight and done, and releases', () => {
    let now = 0;
    const log = new MemoryReplayLog(10, () => now);
    assert.equal(log.claim('a', 30), 'claimed');
    assert.equal(log.claim('a', 30), 'in_flight');
    log.settle('a', true, 600);
    assert.equal(log.claim('a', 30), 'done');
    assert.equal(log.claim('b', 30), 'claimed');
    log.settle('b', false, 600);
    assert.equal(log.claim('b', 30), 'claimed', 'released: the retry goes through');
    now = 31_000;
    assert.equal(log.claim('b', 30), 'claimed', 'an in-flight claim lapses after its time');
    now = 601_000;
    assert.equal(log.claim('a', 30), 'claimed', 'a done record lapses after its TTL');
  });

  it('stays at its bound under a flood of distinct ids, dropping the oldest first', () => {
    const log = new MemoryReplayLog(1_000, () => 0);
    for (let i = 0; i < 50_000; i++) {
      assert.equal(log.claim(`id-${i}`, 30), 'claimed');
      log.settle(`id-${i}`, true, 600);
      assert.ok(log.size <= 1_000);
    }
    assert.equal(log.size, 1_000);
    assert.equal(log.claim('id-49999', 30), 'done', 'the newest are kept');
    assert.equal(log.claim('id-48999', 30), 'claimed', 'the oldest went first');
  });

  it('at the bound, drops expired records behind the oldest one, so live ones are kept longer', () => {
    let now = 0;
    const log = new MemoryReplayLog(100, () => now);
    // 50 short-lived in-flight claims, then 50 records done for an hour.
    for (let i = 0; i < 50; i++) log.claim(`short-${i}`, 1);
    for (let i = 0; i < 50; i++) {
      log.claim(`long-${i}`, 30);
      log.settle(`long-${i}`, true, 3_600);
    }
    assert.equal(log.size, 100);
    now = 5_000;
    log.claim('new', 30);
    assert.equal(log.size, 100 - 32 + 1, 'the oldest and the expired ones behind it, at most 32 in one insert');
    for (let i = 0; i < 50; i++) assert.equal(log.claim(`long-${i}`, 30), 'done', 'no live record was dropped for them');
  });
});
