import { sleep, type ChaosRun } from './chaos-run.js';

/**
 * One cycle of the app's bad days, each followed by time to settle: killed and restarted, slower
 * than the sidecar's upstream timeout, answering 500. Used by the app-faults suite and the soak.
 */
export async function appFaultCycle(run: ChaosRun): Promise<void> {
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
}
