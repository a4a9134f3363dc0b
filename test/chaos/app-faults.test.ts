import { describe, it } from 'node:test';
import { ChaosRun, sleep } from './chaos-run.js';
import { report } from './verdict.js';
import { appFaultCycle } from './app-fault-cycle.js';

describe('chaos: the app behind the sidecar fails', () => {
  it('loses, doubles and lets in nothing while the app is killed, slow and failing', async () => {
    const run = await ChaosRun.start({ suite: 'app-faults' });
    try {
      run.simulator.start();
      await sleep(3_000);
      const startMb = run.sidecars[0]!.rssMb();
      await appFaultCycle(run);
      const figures = await run.finish();
      figures.memory = { startMb, endMb: run.sidecars[0]!.rssMb() };
      figures.logLines = run.sidecars[0]!.logLines();
      figures.extra.push(`app: abandoned ${run.app.abandoned}, answered 500 ${run.app.failed}`);
      report(figures);
    } finally {
      await run.close();
    }
  });
});
