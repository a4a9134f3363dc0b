import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChaosRun, sleep } from './chaos-run.js';
import { report } from './verdict.js';
import type { ProviderName } from './provider-kinds.js';

/** Closed-loop senders on kept-alive connections, and the pause each makes between two deliveries. */
const SENDERS = 6;
const THINK_MS = 40;

describe('chaos: the sidecar is rolled out under traffic', () => {
  it('drains on SIGTERM, hands the port to a new process, and no delivery is lost or reset', async () => {
    const run = await ChaosRun.start({ suite: 'rollout', redis: { onError: 'open' } });
    try {
      run.simulator.start();
      await sleep(3_000);
      const startMb = run.sidecars[0]!.rssMb();
      for (let i = 0; i < 3; i++) {
        await run.rollOut(0);
        await sleep(5_000);
      }
      const figures = await run.finish();
      const exits = await Promise.all(run.replaced.map((r) => r.exit));
      figures.memory = { startMb, endMb: run.sidecars[0]!.rssMb() };
      figures.logLines = run.sidecars[0]!.logLines() + run.replaced.reduce((n, r) => n + r.process.logLines(), 0);
      figures.extra.push(`rollouts ${run.replaced.length}, old processes exited with ${exits.join(', ')}; memory start is the first process, end the last`);
      report(figures);
      assert.deepEqual(exits, exits.map(() => 0), 'every replaced sidecar drained and exited 0');
    } finally {
      await run.close();
    }
  });

  it('answers or refuses every request sent on a kept-alive connection at SIGTERM, never resets it', async () => {
    // Closed-loop senders: each sends its next delivery THINK_MS after the last answer, so at any
    // instant some kept-alive connections are idle between two requests and about to be used.
    // That is where closing idle connections at once turns a request into a reset.
    const run = await ChaosRun.start({ suite: 'rollout-keepalive', redis: { onError: 'open' }, duplicateShare: 0 });
    let running = true;
    try {
      const providers: ProviderName[] = ['stripe', 'standard'];
      const loops = Array.from({ length: SENDERS }, async (_, i) => {
        while (running) {
          await run.simulator.sendOne(providers[i % providers.length]!);
          await sleep(THINK_MS);
        }
      });
      await sleep(1_500);
      const startMb = run.sidecars[0]!.rssMb();
      for (let i = 0; i < 5; i++) {
        await run.rollOut(0);
        await sleep(2_500);
      }
      running = false;
      await Promise.all(loops);
      const figures = await run.finish();
      await Promise.all(run.replaced.map((r) => r.exit));
      figures.memory = { startMb, endMb: run.sidecars[0]!.rssMb() };
      figures.extra.push(`rollouts ${run.replaced.length} under ${SENDERS} closed-loop keep-alive senders (${THINK_MS} ms between deliveries)`);
      report(figures);
    } finally {
      running = false;
      await run.close();
    }
  });
});
