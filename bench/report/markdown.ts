import type { ScaleEntry, Summary, TargetCheck, Ratios } from '../summarize.js';
import type { Shape } from '../plan.js';

export interface Report {
  meta: Record<string, unknown>;
  saturation: Record<string, Summary>;
  fixed: Record<string, Summary>;
  scale: ScaleEntry[];
  ratios: Record<Shape, Record<string, Record<string, Ratios>>>;
  targets: TargetCheck[];
  detail: Record<Shape, Record<string, Record<string, unknown>>>;
  failures: string[];
}

const num = (value: number | null | undefined, digits = 1): string => (value === null || value === undefined || !Number.isFinite(value) ? '—' : value.toFixed(digits));
const int = (value: number | null | undefined): string => (value === null || value === undefined || !Number.isFinite(value) ? '—' : Math.round(value).toLocaleString('en-US'));

function figuresRow(name: string, s: Summary): string {
  if (s.status !== 'ok') return `| ${name} | ${s.status}${s.note ? `: ${s.note.replace(/\|/g, '/')}` : ''} | | | | | | | |`;
  return `| ${name} | ${int(s.rps)} | ${num(s.p50_ms, 2)} | ${num(s.p99_ms, 2)} | ${num(s.p999_ms, 2)} | ${num(s.cpu_us_per_req, 0)} | ${num(s.peak_rss_mb, 0)} | ${num(s.redis_cmds_per_req, 2)} | ${num(s.redis_roundtrips_per_req, 2)} |`;
}

const HEAD = `| scenario | rps | p50 ms | p99 ms | p99.9 ms | CPU µs/req | peak RSS MB | Redis cmds/req | Redis round trips/req |
| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |`;

export function renderMarkdown(report: Report): string {
  const m = report.meta as { rounds: number; seconds: number; connections: number; rate: number; tool: string; machine: string; scaleRounds: number; scaleSeconds: number; warmupSeconds: number };
  const out: string[] = [];
  const load = report.meta.loadavg as { before: number; after: number } | undefined;
  out.push(`# hookguard bench`, '', `Machine: ${m.machine}`, '');
  if (load) out.push(`Load average (1 min) before and after: ${load.before.toFixed(2)} and ${load.after.toFixed(2)}; "other processes" below is CPU the rest of the machine used during each window.`, '');
  out.push(
    `Medians of ${m.rounds} interleaved rounds; each figure from a fresh proxy process after ${m.warmupSeconds} s of warm-up. CPU and peak RSS of the proxy from /proc (utime+stime ÷ answered requests; VmHWM).`,
    '',
  );
  out.push(`## Saturation: ${m.connections} connections, ${m.seconds} s, closed loop (${m.tool})`, '', HEAD);
  for (const [name, s] of Object.entries(report.saturation)) out.push(figuresRow(name, s));
  out.push('', `## Fixed rate: ${m.rate.toLocaleString('en-US')} requests/s, open loop (latency from the time each request was due)`, '', HEAD);
  for (const [name, s] of Object.entries(report.fixed)) out.push(figuresRow(name, s));

  out.push('', '## Paired ratios (median over rounds of each round\'s ratio)', '', '| shape | scenario | ÷ | rps | CPU/req | p99 | peak RSS |', '| --- | --- | --- | ---: | ---: | ---: | ---: |');
  for (const shape of ['saturation', 'fixed'] as const) {
    for (const [name, refs] of Object.entries(report.ratios[shape])) {
      for (const [ref, r] of Object.entries(refs)) out.push(`| ${shape} | ${name} | ${ref} | ${num(r.rps, 2)} | ${num(r.cpu_us_per_req, 2)} | ${num(r.p99_ms, 2)} | ${num(r.peak_rss_mb, 2)} |`);
    }
  }

  out.push('', '## Targets (issue 8)', '', '| figure | target | this run | met | basis |', '| --- | --- | ---: | --- | --- |');
  for (const t of report.targets) out.push(`| ${t.figure} | ${t.target} | ${num(t.value, 2)} | ${t.met === null ? 'pending' : t.met ? 'yes' : '**no**'} | ${t.basis} |`);

  if (report.scale.length > 0) {
    out.push('', `## Scale (saturation, ${m.scaleSeconds} s × ${m.scaleRounds} round${m.scaleRounds === 1 ? '' : 's'} per point)`, '');
    out.push('| curve | scenario | hooks | tokens | body | conns | rps | body MB/s | p99 ms | CPU µs/req | peak RSS MB | Redis RT/req |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |');
    for (const e of report.scale) {
      const size = e.body_bytes >= 1_048_576 ? `${e.body_bytes / 1_048_576} MiB` : `${e.body_bytes / 1024} KiB`;
      const lead = `| ${e.curve} | ${e.scenario} | ${e.hooks} | ${e.tokens} | ${size} | ${e.connections} |`;
      if (e.status !== 'ok') out.push(`${lead} ${e.status}${e.note ? `: ${e.note.replace(/\|/g, '/')}` : ''} | | | | | |`);
      else out.push(`${lead} ${int(e.rps)} | ${num(e.body_mb_per_s, 1)} | ${num(e.p99_ms, 2)} | ${num(e.cpu_us_per_req, 0)} | ${num(e.peak_rss_mb, 0)} | ${num(e.redis_roundtrips_per_req, 2)} |`);
    }
  }

  out.push('', '## The rest of the bill (same runs): CPU µs per request of the app, the load generator and Redis; other work on the machine', '', '| shape | scenario | app | load generator | Redis | other processes (cores) |', '| --- | --- | ---: | ---: | ---: | ---: |');
  for (const shape of ['saturation', 'fixed'] as const) {
    for (const [name, d] of Object.entries(report.detail[shape])) out.push(`| ${shape} | ${name} | ${num(d.app_cpu_us_per_req as number | null, 0)} | ${num(d.loader_cpu_us_per_req as number | null, 0)} | ${num(d.redis_cpu_us_per_req as number | null, 0)} | ${num(d.foreign_cpu_cores as number | null, 2)} |`);
  }
  if (report.failures.length > 0) out.push('', '## Failures', '', ...report.failures.map((f) => `- ${f}`));
  return `${out.join('\n')}\n`;
}
