import { describe, it } from 'node:test';
import { ChaosRun, sleep } from './chaos-run.js';
import { report } from './verdict.js';

describe('chaos: the app behind the sidecar fails', () => {
  it('loses, doubles and lets in nothing while the app is killed, slow and failing', async () => {
    const run = await ChaosRun.start({ suite: 'app-faults' });
    try {
      run.simulator.start();
      await sleep(3_000);
      const startMb = run.sidecars[0]!.rssMb();
      await run.timeline.during('app killed', async () => {
        await run.app.kill();
        await sleep(3_000);
        await run.app.restart();
      });
      await sleep(4_000);
      await run.timeline.during('app slow', async () => {
        run.app.setMode({ kind: 'slow', delayMs: 2_500 });
        await sleep(3_000);
        run.app.setMode({ kind: 'normal' });
      });
      await sleep(4_000);
      await run.timeline.during('app failing', async () => {
        run.app.setMode({ kind: 'failing' });
        await sleep(3_000);
        run.app.setMode({ kind: 'normal' });
      });
      await sleep(4_000);
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
