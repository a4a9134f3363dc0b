// `npm run bench`: hookguard against the references, interleaved over rounds, on this machine.
// See docs/performance.md for what each figure means and how it is taken.
import { existsSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { loadavg } from 'node:os';
import type { Measurement } from './figures.js';
import type { Report } from './report/markdown.js';
import { parseBenchOptions, USAGE, type BenchOptions, type ScenarioName } from './bench-options.js';
import { createBenchContext, type BenchContext } from './bench-context.js';
import { measure } from './measure.js';
import { CURVES, SHAPES, scalePoints, scaleRequest, scaleScenarioName, scenarioRequest, type Shape } from './plan.js';
import { allRatios, checkTargets, pairedRatios, summarizeDetail, summarizeRounds, type ScaleEntry, type Summary } from './summarize.js';
import { renderMarkdown } from './report/markdown.js';
import { describeMachine } from './machine.js';
import { runProfile } from './profile.js';

async function main(): Promise<number> {
  let options: BenchOptions;
  try {
    options = parseBenchOptions(process.argv.slice(2));
  } catch (error) {
    process.stderr.write(`bench: ${(error as Error).message}\n${USAGE}\n`);
    return 2;
  }
  if (!existsSync(fileURLToPath(new URL('../dist/cli.js', import.meta.url)))) {
    process.stderr.write('bench: dist/cli.js is missing: run `npm run build` first\n');
    return 2;
  }
  if (options.profile) return runProfile(options, options.profile);

  const context = await createBenchContext(options);
  try {
    const report = await runBench(context, options);
    process.stdout.write(renderMarkdown(report));
    if (options.json) writeFileSync(options.json, `${JSON.stringify(report, null, 2)}\n`);
    for (const failure of report.failures) process.stderr.write(`bench: FAILED ${failure}\n`);
    return report.failures.length > 0 ? 1 : 0;
  } finally {
    await context.close();
  }
}

async function runBench(context: BenchContext, options: BenchOptions): Promise<Report> {
  const loadBefore = loadavg();
  const results: Record<Shape, Map<ScenarioName, Measurement[]>> = { saturation: new Map(), fixed: new Map() };
  const failures: string[] = [];
  let last = Date.now();
  const note = (label: string, m: Measurement): void => {
    const took = ((Date.now() - last) / 1000).toFixed(1);
    last = Date.now();
    const f = m.figures;
    const figures = f ? ` ${Math.round(f.rps ?? 0)} rps, p99 ${f.p99_ms?.toFixed(2)} ms, ${f.cpu_us_per_req?.toFixed(0) ?? '—'} µs/req, ${f.peak_rss_mb?.toFixed(0) ?? '—'} MB` : '';
    process.stderr.write(`bench: ${label}: ${m.status}${figures}${m.note ? ` (${m.note})` : ''} [${took} s]\n`);
    if (m.status === 'failed') failures.push(`${label}: ${m.note ?? 'failed'}`);
  };

  // Rounds interleave the scenarios, and each round starts the rotation one scenario later, so
  // that no scenario always runs first (cold caches) or last (a warm machine).
  for (let round = 0; options.main && round < options.rounds; round++) {
    for (const shape of SHAPES) {
      for (const name of rotate(options.scenarios, round)) {
        const m = await measure(scenarioRequest(context, options, name, shape));
        note(`round ${round + 1}/${options.rounds} ${shape} ${name}`, m);
        const list = results[shape].get(name) ?? [];
        list[round] = m;
        results[shape].set(name, list);
      }
    }
  }

  const scaleResults = new Map<string, Measurement[]>();
  if (options.scale) {
    const points = scalePoints(options.curves);
    for (let round = 0; round < options.scaleRounds; round++) {
      for (const found of rotate(points, round)) {
        const m = await measure(scaleRequest(context, options, found));
        note(`scale round ${round + 1}/${options.scaleRounds} ${found.key}`, m);
        const list = scaleResults.get(found.key) ?? [];
        list[round] = m;
        scaleResults.set(found.key, list);
      }
    }
  }

  const summaries = {} as Record<Shape, Record<string, Summary>>;
  const detail = {} as Report['detail'];
  const ratios = {} as Report['ratios'];
  for (const shape of SHAPES) {
    summaries[shape] = {};
    detail[shape] = {};
    for (const name of options.scenarios) {
      const rounds = results[shape].get(name) ?? [];
      summaries[shape][name] = summarizeRounds(rounds);
      detail[shape][name] = summarizeDetail(rounds);
    }
    ratios[shape] = allRatios(results[shape]);
  }

  const scale: ScaleEntry[] = [];
  for (const { curve, points } of CURVES) {
    for (const found of points) {
      const rounds = scaleResults.get(found.key);
      if (!rounds) continue;
      const summary = summarizeRounds(rounds);
      scale.push({
        curve,
        scenario: scaleScenarioName(context, found),
        hooks: found.hooks,
        tokens: found.tokens,
        body_bytes: found.bodyBytes,
        connections: found.connections,
        ...summary,
        body_mb_per_s: summary.rps === null ? null : (summary.rps * found.bodyBytes) / 1_048_576,
        detail: summarizeDetail(rounds),
      });
    }
  }
  const scaleRatio = (a: string, b: string, figure: 'cpu_us_per_req' | 'rps'): number | null => {
    const x = scaleResults.get(a);
    const y = scaleResults.get(b);
    return x && y ? (pairedRatios(x, y)[figure] ?? null) : null;
  };
  const subject = context.redisStoreMissing === undefined && options.scenarios.includes('hookguard-redis') ? 'hookguard-redis' : 'hookguard-memory';
  const { machine, versions } = describeMachine();
  return {
    meta: {
      machine,
      versions,
      date: new Date().toISOString(),
      // Other work on the machine: the 1-minute load average before and after (2 cores: 2.0 is full).
      loadavg: { before: loadBefore[0], after: loadavg()[0] },
      quick: options.quick,
      rounds: options.rounds,
      seconds: options.seconds,
      warmupSeconds: options.warmupSeconds,
      connections: options.connections,
      rate: options.rate,
      tool: options.tool,
      hookguardNodeFlags: options.hookguardNodeFlags,
      scaleRounds: options.scaleRounds,
      scaleSeconds: options.scaleSeconds,
      ...(context.redisStoreMissing ? { redisStoreMissing: context.redisStoreMissing } : {}),
    },
    saturation: summaries.saturation,
    fixed: summaries.fixed,
    scale,
    ratios,
    targets: checkTargets({ ratios, summaries, details: detail, scaleRatio, subject }),
    detail,
    failures,
  };
}

function rotate<T>(items: readonly T[], by: number): T[] {
  const shift = items.length === 0 ? 0 : by % items.length;
  return [...items.slice(shift), ...items.slice(0, shift)];
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
