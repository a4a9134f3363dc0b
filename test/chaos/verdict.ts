import assert from 'node:assert/strict';
import type { FaultTimeline } from './fault-timeline.js';
import type { RecordingApp } from './recording-app.js';
import { isSuccess, type Attempt, type Delivery, type ProviderSimulator } from './simulator.js';
import { PROVIDERS } from './provider-kinds.js';

/**
 * The end-of-run check, in the words of docs/reliability.md:
 *
 * - lost: the provider was answered 2xx but the app never received the delivery; or a retrying
 *   provider never got a 2xx although at least one of its attempts was made while the system was
 *   healthy (no fault, and past the settling time after one).
 * - doubled: the app received (answered 2xx to an open connection) one delivery more than once.
 * - phantom: the app received a delivery the provider was never told succeeded (GitHub would show it
 *   failed; a retrying provider would still be retrying).
 * - forged let in: a forgery reached the app at all, or was answered 2xx.
 * - resets: an attempt ended by a reset or broken connection rather than an answer or a refusal.
 */
export interface Figures {
  readonly suite: string;
  readonly sent: number;
  readonly sentBy: Record<string, number>;
  readonly forged: number;
  readonly accepted: number;
  readonly retried: number;
  readonly attempts: number;
  /** GitHub deliveries whose single attempt was not 2xx (by answer), never retried by GitHub. */
  readonly notRetried: number;
  readonly notRetriedBy: Record<string, number>;
  /** Retrying deliveries that never succeeded, every attempt inside a fault: not counted as lost. */
  readonly gaveUpInFaults: number;
  readonly lost: number;
  readonly doubled: number;
  readonly phantom: number;
  readonly forgedLetIn: number;
  readonly unexplained: number;
  readonly duplicatesSent: number;
  readonly duplicatesRecognised: number;
  readonly duplicatesSkipped: number;
  readonly resets: number;
  readonly refused: number;
  readonly timeouts: number;
  readonly statuses: Record<string, number>;
  readonly examples: string[];
  memory?: { readonly startMb: number; readonly endMb: number };
  logLines?: number;
  extra: string[];
}

export interface JudgeInput {
  readonly suite: string;
  readonly simulator: ProviderSimulator;
  readonly app: RecordingApp;
  readonly timeline: FaultTimeline;
  /** Ids of forgeries sent outside the simulator (floods). */
  readonly otherForgedIds?: ReadonlySet<string>;
  /** Ids a suite sent again on purpose as a probe; their second receipt is reported by the probe. */
  readonly probedIds?: ReadonlySet<string>;
}

const RESET_CODES = new Set(['ECONNRESET', 'EPIPE', 'ECONNABORTED', 'RESPONSE_ERROR', 'REQUEST_ERROR']);

export function judge(input: JudgeInput): Figures {
  const { simulator, app, timeline } = input;
  const sentBy: Record<string, number> = Object.fromEntries(PROVIDERS.map((p) => [p.name, 0]));
  const notRetriedBy: Record<string, number> = {};
  const statuses: Record<string, number> = {};
  const examples: string[] = [];
  const note = (what: string, delivery: Delivery) => {
    if (examples.length < 12) examples.push(`${what}: ${delivery.provider} ${delivery.id} attempts ${delivery.attempts.map(describe).join(', ')}`);
  };
  let sent = 0, forged = 0, accepted = 0, retried = 0, attempts = 0, notRetried = 0, gaveUpInFaults = 0;
  let lost = 0, doubled = 0, phantom = 0, forgedLetIn = 0, resets = 0, refused = 0, timeouts = 0;
  let duplicatesSent = 0, duplicatesRecognised = 0;
  const count = (attempt: Attempt) => {
    attempts++;
    const key = attempt.status !== undefined ? String(attempt.status) : (attempt.error ?? 'none');
    statuses[key] = (statuses[key] ?? 0) + 1;
    if (attempt.error && RESET_CODES.has(attempt.error)) resets++;
    if (attempt.error === 'ECONNREFUSED') refused++;
    if (attempt.error === 'TIMEOUT') timeouts++;
  };

  for (const delivery of simulator.deliveries.values()) {
    delivery.attempts.forEach(count);
    delivery.duplicates.forEach(count);
    delivery.probes.forEach(count);
    const received = app.received.get(delivery.id) ?? 0;
    if (delivery.forged) {
      forged++;
      if ((app.seen.get(delivery.id) ?? 0) > 0 || delivery.state === 'accepted') {
        forgedLetIn++;
        note('forged let in', delivery);
      }
      continue;
    }
    sent++;
    sentBy[delivery.provider] = (sentBy[delivery.provider] ?? 0) + 1;
    if (delivery.attempts.length > 1) retried++;
    duplicatesSent += delivery.duplicates.length;
    duplicatesRecognised += delivery.duplicates.filter((a) => isSuccess(a) && a.duplicate).length;
    if (delivery.state === 'accepted') {
      accepted++;
      if (received === 0) {
        lost++;
        note('lost (answered 2xx, never received)', delivery);
      }
    } else if (delivery.state === 'failed') {
      notRetried++;
      const last = delivery.attempts.at(-1)!;
      const key = last.status !== undefined ? String(last.status) : (last.error ?? 'none');
      notRetriedBy[key] = (notRetriedBy[key] ?? 0) + 1;
    } else if (delivery.attempts.some((a) => timeline.healthyBetween(a.from, a.to))) {
      lost++;
      note(`lost (${delivery.state}, refused while healthy)`, delivery);
    } else {
      gaveUpInFaults++;
    }
    if (received > 1 && !input.probedIds?.has(delivery.id)) {
      doubled++;
      note(`doubled (${received} times)`, delivery);
    }
    if (received > 0 && delivery.state !== 'accepted') {
      phantom++;
      note('phantom (received, provider never told 2xx)', delivery);
    }
  }
  const resetAttempts = [...simulator.deliveries.values()].flatMap((d) => [...d.attempts, ...d.duplicates, ...d.probes].filter((a) => a.error && RESET_CODES.has(a.error)).map((a) => ({ d, a })));
  for (const { d, a } of resetAttempts.slice(0, 5)) {
    examples.push(`reset: ${d.provider} ${d.id} ${a.error} on a ${a.reused ? 'kept-alive' : 'new'} connection to ${a.target} after ${a.to - a.from} ms; faults near: ${timeline.near(a.from).join('; ') || 'none'}`);
  }
  let unexplained = 0;
  for (const id of app.seen.keys()) {
    if (simulator.deliveries.has(id)) continue;
    if (input.otherForgedIds?.has(id)) forgedLetIn++;
    else unexplained++;
    if (examples.length < 12) examples.push(`unexpected id at the app: ${id}`);
  }
  return {
    suite: input.suite,
    sent,
    sentBy,
    forged: forged + (input.otherForgedIds?.size ?? 0),
    accepted,
    retried,
    attempts,
    notRetried,
    notRetriedBy,
    gaveUpInFaults,
    lost,
    doubled,
    phantom,
    forgedLetIn,
    unexplained,
    duplicatesSent,
    duplicatesRecognised,
    duplicatesSkipped: simulator.duplicatesSkipped,
    resets,
    refused,
    timeouts,
    statuses,
    examples,
    extra: [],
  };
}

function describe(attempt: Attempt): string {
  const answer = attempt.status !== undefined ? String(attempt.status) : attempt.error;
  return `${answer}${attempt.duplicate ? '(dup)' : ''}@${attempt.from % 100_000}+${attempt.to - attempt.from}ms`;
}

const list = (record: Record<string, number>) =>
  Object.entries(record)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, v]) => `${k}: ${v}`)
    .join(', ') || 'none';

export function formatFigures(f: Figures): string {
  const lines = [
    `chaos ▸ ${f.suite}`,
    `  deliveries sent ${f.sent} (${list(f.sentBy)}), forged ${f.forged}`,
    `  accepted ${f.accepted}, retried ${f.retried} (${f.attempts} exchanges), not accepted by github's single attempt ${f.notRetried} (${list(f.notRetriedBy)})`,
    `  lost ${f.lost}, doubled ${f.doubled}, phantom ${f.phantom}, forged let in ${f.forgedLetIn}, unexplained at the app ${f.unexplained}, gave up inside faults ${f.gaveUpInFaults}`,
    `  provider duplicates sent ${f.duplicatesSent}, answered from the replay record ${f.duplicatesRecognised}, skipped (fault in between) ${f.duplicatesSkipped}`,
    `  connection resets ${f.resets}, refused ${f.refused}, provider timeouts ${f.timeouts}; answers ${list(f.statuses)}`,
  ];
  if (f.memory) lines.push(`  memory (sidecar RSS) start ${f.memory.startMb.toFixed(1)} MB, end ${f.memory.endMb.toFixed(1)} MB${f.logLines !== undefined ? `; sidecar log lines ${f.logLines}` : ''}`);
  for (const line of f.extra) lines.push(`  ${line}`);
  for (const example of f.examples) lines.push(`  ! ${example}`);
  return lines.join('\n');
}

/** Prints the figures and fails on anything lost, doubled, let in or reset. */
export function report(f: Figures, options: { allowResets?: boolean } = {}): void {
  console.log(formatFigures(f));
  const problems: string[] = [];
  if (f.sent === 0) problems.push('nothing was sent');
  if (f.lost > 0) problems.push(`${f.lost} lost`);
  if (f.doubled > 0) problems.push(`${f.doubled} doubled`);
  if (f.phantom > 0) problems.push(`${f.phantom} phantom`);
  if (f.forgedLetIn > 0) problems.push(`${f.forgedLetIn} forged let in`);
  if (f.unexplained > 0) problems.push(`${f.unexplained} unexplained ids at the app`);
  if (!options.allowResets && f.resets > 0) problems.push(`${f.resets} connection resets`);
  assert.deepEqual(problems, [], `${f.suite}: ${problems.join(', ')}\n${formatFigures(f)}`);
}
