import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChaosRun, sleep } from './chaos-run.js';
import { loopbackAddresses, type FloodResult } from './flood.js';
import { forgeryFlood, replayFlood } from './attacks.js';
import { PROVIDERS } from './provider-kinds.js';
import { report, type Figures } from './verdict.js';
import { sample, scrape } from '../helpers/metrics.js';

const FORGERS = loopbackAddresses(9, 100);
const REPLAYERS = loopbackAddresses(10, 3);
const FLOOD_MS = 10_000;
/** Per source and hook; the genuine provider (127.0.0.1) sends 10/s to each hook, retries included well below. */
const PER_SOURCE = { points: 300, durationSeconds: 5 };
const LOCKOUT = { failures: 10, windowSeconds: 60, blockSeconds: 120 };

describe('chaos: forged and replayed floods from many addresses', () => {
  let run: ChaosRun;
  let forged: FloodResult;
  let replayed: FloodResult;
  let final: Figures;
  let floodLines: { total: number; rejected: number; lockedOut: number; duplicate: number };
  let genuine429: number;
  let rejections: (reason: string) => number;

  before(async () => {
    run = await ChaosRun.start({ suite: 'forged-flood', rateLimit: { perSource: PER_SOURCE }, lockout: LOCKOUT });
    const sidecar = run.sidecars[0]!;
    run.simulator.start();
    await sleep(3_000);
    const startMb = sidecar.rssMb();
    const before = { total: sidecar.logLines(), rejected: sidecar.events('rejected'), lockedOut: sidecar.events('locked_out'), duplicate: sidecar.events('duplicate') };
    const forgedIds = new Set<string>();

    const captured = run.simulator.acceptedSoFar();
    const end = run.timeline.begin('floods');
    [forged, replayed] = await Promise.all([
      forgeryFlood(run, { addresses: FORGERS, perAddressPerSecond: 3, durationMs: FLOOD_MS }, forgedIds),
      replayFlood(run, { addresses: REPLAYERS, perAddressPerSecond: 80, durationMs: FLOOD_MS }, captured),
    ]);
    end();
    floodLines = {
      total: sidecar.logLines() - before.total,
      rejected: sidecar.events('rejected') - before.rejected,
      lockedOut: sidecar.events('locked_out') - before.lockedOut,
      duplicate: sidecar.events('duplicate') - before.duplicate,
    };
    const floodMb = sidecar.rssMb();
    await sleep(3_000);

    const figures = await run.finish({ otherForgedIds: forgedIds });
    genuine429 = [...run.simulator.deliveries.values()].filter((d) => !d.forged).flatMap((d) => d.attempts).filter((a) => a.status === 429).length;
    const metrics = await scrape(sidecar.adminUrl);
    rejections = (reason: string) => PROVIDERS.reduce((n, p) => n + sample(metrics, 'hookguard_rejections_total', { hook: p.name, reason }), 0);
    final = figures;
    final.memory = { startMb, endMb: sidecar.rssMb() };
    final.logLines = sidecar.logLines();
    final.extra.push(`forged flood: ${forged.sent} from ${FORGERS.length} addresses, answers ${JSON.stringify(forged.answers)}`);
    final.extra.push(`replay flood: ${replayed.sent} from ${REPLAYERS.length} addresses, answers ${JSON.stringify(replayed.answers)}`);
    final.extra.push(`rejections: signature ${rejections('signature')}, locked_out ${rejections('locked_out')}, rate_limited ${rejections('rate_limited')}; genuine attempts answered 429: ${genuine429}`);
    final.extra.push(`log lines during the floods: ${floodLines.total} for ${forged.sent + replayed.sent} flood requests (rejected ${floodLines.rejected}, locked_out ${floodLines.lockedOut}, duplicate ${floodLines.duplicate}); bound for rejections ${rejectionLineBound()}; RSS after the floods ${floodMb.toFixed(1)} MB`);
  });

  after(async () => {
    await run?.close();
  });

  it('lets no forgery in, and loses or doubles no genuine delivery', () => {
    report(final);
  });

  it('locks the forgers out and rate-limits the replayers', () => {
    assert.ok((forged.answers['429'] ?? 0) > 0 && rejections('locked_out') > 0, 'the forgers were locked out');
    assert.ok((replayed.answers['429'] ?? 0) > 0 && rejections('rate_limited') > 0, 'the replayers were rate-limited');
    assert.deepEqual(Object.keys(forged.answers).filter((k) => !['401', '429'].includes(k)), [], 'forgeries are answered 401 or 429, nothing else');
  });

  it('keeps genuine deliveries from another address flowing: none refused, none limited', () => {
    assert.equal(final.notRetried, 0, 'every genuine GitHub delivery was accepted at its single attempt');
    assert.equal(genuine429, 0, 'no genuine delivery was rate-limited or locked out');
  });

  it('logs rejections within a bound set by the addresses, not by the flood\'s volume', () => {
    assert.ok(floodLines.rejected + floodLines.lockedOut <= rejectionLineBound(), `${floodLines.rejected + floodLines.lockedOut} rejection lines > ${rejectionLineBound()}`);
  });

  it('logs a replay flood within the same kind of bound', () => {
    assert.ok(floodLines.total <= rejectionLineBound() + 50, `${floodLines.total} lines during the floods, ${floodLines.duplicate} of them duplicate answers`);
  });
});

/**
 * The rejection log's promise (README, Logs): per (reason, source) the first 5 lines of each minute
 * and then one summary; plus one locked_out line per locked source. The floods last under a minute.
 */
function rejectionLineBound(): number {
  const keys = FORGERS.length * 2 /* signature, locked_out */ + REPLAYERS.length /* rate_limited */;
  return keys * 6 + FORGERS.length;
}
