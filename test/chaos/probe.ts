import type { ChaosRun } from './chaos-run.js';
import { isSuccess, type Delivery } from './simulator.js';

export interface ProbeResult {
  readonly ids: string[];
  readonly recognised: number;
  readonly again: number;
  readonly line: string;
}

/**
 * Sends accepted deliveries once more, as a provider's duplicate, and tells how many the sidecar
 * recognised (200 with Hookguard-Duplicate) and how many reached the app a second time. Used where
 * the outcome is a documented limit rather than a guarantee, so that it is measured, not assumed.
 */
export async function probeResend(run: ChaosRun, label: string, deliveries: readonly Delivery[]): Promise<ProbeResult> {
  const before = deliveries.map((d) => run.app.received.get(d.id) ?? 0);
  const attempts = await run.simulator.resend(deliveries);
  const recognised = attempts.filter((a) => isSuccess(a) && a.duplicate).length;
  const again = deliveries.filter((d, i) => (run.app.received.get(d.id) ?? 0) > before[i]!).length;
  return {
    ids: deliveries.map((d) => d.id),
    recognised,
    again,
    line: `probe: ${deliveries.length} deliveries ${label}, sent again: ${recognised} answered from the replay record, ${again} reached the app again`,
  };
}
