import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CallGatherer } from '../../src/state/redis/call-gatherer.js';

/**
 * The queueing alone, with a `run` the test answers by hand: which calls go out together, and that
 * each caller gets its own result. What a batch does in Redis is in redis-admit-batch.test.ts.
 */

interface Sent {
  readonly queue: string;
  readonly entries: readonly string[];
  readonly answer: (results: readonly string[]) => void;
  readonly fail: (error: unknown) => void;
}

function harness(maxBatch = 64): { gatherer: CallGatherer<string, string>; sent: Sent[] } {
  const sent: Sent[] = [];
  const gatherer = new CallGatherer<string, string>({
    maxBatch,
    run: (queue, entries) =>
      new Promise((resolve, reject) => {
        sent.push({ queue, entries: [...entries], answer: resolve, fail: reject });
      }),
  });
  return { gatherer, sent };
}

const echo = (entries: readonly string[]): string[] => entries.map((entry) => `r:${entry}`);
const settle = (promise: Promise<unknown>): Promise<unknown> => promise.then((value) => ({ value }), (error: unknown) => ({ error }));

describe('CallGatherer', () => {
  it('sends a call at once when nothing of its queue is out', async () => {
    const { gatherer, sent } = harness();
    const one = gatherer.submit('q', 'a');
    assert.deepEqual(sent.map((s) => s.entries), [['a']]);
    sent[0]!.answer(echo(sent[0]!.entries));
    assert.equal(await one, 'r:a');
    const two = gatherer.submit('q', 'b');
    assert.deepEqual(sent.map((s) => s.entries), [['a'], ['b']], 'after the answer, the next call goes alone again');
    sent[1]!.answer(echo(sent[1]!.entries));
    assert.equal(await two, 'r:b');
  });

  it('gathers the calls made while a script is out, sends them together when it answers, and gives each caller its own result', async () => {
    const { gatherer, sent } = harness();
    const first = gatherer.submit('q', 'a');
    const rest = ['b', 'c', 'd'].map((entry) => gatherer.submit('q', entry));
    assert.equal(sent.length, 1);
    assert.equal(gatherer.gathered, 3);
    sent[0]!.answer(['r:a']);
    assert.equal(await first, 'r:a');
    assert.deepEqual(sent.map((s) => s.entries), [['a'], ['b', 'c', 'd']], 'in the order they were made');
    assert.equal(gatherer.gathered, 0);
    sent[1]!.answer(['x', 'y', 'z']);
    assert.deepEqual(await Promise.all(rest), ['x', 'y', 'z']);
  });

  it('keeps queues apart: a script out on one queue does not hold another', () => {
    const { gatherer, sent } = harness();
    void gatherer.submit('hook-a', '1');
    void gatherer.submit('hook-b', '2');
    void gatherer.submit('hook-a', '3');
    assert.deepEqual(
      sent.map((s) => [s.queue, s.entries]),
      [
        ['hook-a', ['1']],
        ['hook-b', ['2']],
      ],
    );
    assert.equal(gatherer.gathered, 1);
  });

  it('sends a full gather at once, without waiting for the script that is out', async () => {
    const { gatherer, sent } = harness(3);
    const calls = ['a', 'b', 'c', 'd', 'e'].map((entry) => gatherer.submit('q', entry));
    assert.deepEqual(sent.map((s) => s.entries), [['a'], ['b', 'c', 'd']]);
    assert.equal(gatherer.gathered, 1);
    // The early batch answers first; 'e' still waits, since 'a' is out.
    sent[1]!.answer(echo(sent[1]!.entries));
    assert.equal(await calls[1], 'r:b');
    assert.equal(sent.length, 2);
    sent[0]!.answer(echo(sent[0]!.entries));
    assert.equal(await calls[0], 'r:a');
    assert.deepEqual(sent.map((s) => s.entries), [['a'], ['b', 'c', 'd'], ['e']]);
    sent[2]!.answer(echo(sent[2]!.entries));
    assert.deepEqual(await Promise.all(calls), ['r:a', 'r:b', 'r:c', 'r:d', 'r:e']);
  });

  it('a script that fails rejects its calls and those gathered behind it; the next call is sent as usual', async () => {
    const { gatherer, sent } = harness();
    const outage = new Error('connection lost');
    const carried = settle(gatherer.submit('q', 'a'));
    const behind = [settle(gatherer.submit('q', 'b')), settle(gatherer.submit('q', 'c'))];
    sent[0]!.fail(outage);
    assert.deepEqual(await carried, { error: outage });
    assert.deepEqual(await Promise.all(behind), [{ error: outage }, { error: outage }]);
    assert.equal(sent.length, 1, 'those behind it were not sent into the same outage');
    const next = gatherer.submit('q', 'd');
    assert.deepEqual(sent[1]!.entries, ['d']);
    sent[1]!.answer(['r:d']);
    assert.equal(await next, 'r:d');
  });

  it('rejects the calls of a script that answers with the wrong number of results, and one whose run throws', async () => {
    const { gatherer, sent } = harness();
    const first = settle(gatherer.submit('q', 'a'));
    const second = settle(gatherer.submit('q', 'b'));
    const third = settle(gatherer.submit('q', 'c'));
    sent[0]!.answer([]);
    const firstOutcome = (await first) as { error?: unknown };
    assert.ok(firstOutcome.error instanceof TypeError && /0 results for 1 calls/.test(firstOutcome.error.message));
    assert.deepEqual(sent[1]!.entries, ['b', 'c'], 'a wrong answer is a bug of that script: the gathered calls still go');
    sent[1]!.answer(echo(sent[1]!.entries));
    assert.deepEqual([await second, await third], [{ value: 'r:b' }, { value: 'r:c' }]);

    const thrown = new Error('cannot encode');
    const throwing = new CallGatherer<string, string>({
      maxBatch: 8,
      run: () => {
        throw thrown;
      },
    });
    assert.deepEqual(await settle(throwing.submit('q', 'a')), { error: thrown });
  });
});
