import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { deadPort } from './upstream.js';

/** One scrape target: an admin address and the labels Kubernetes service discovery would add. */
export interface ScrapeTarget {
  readonly job: string;
  /** "127.0.0.1:PORT" */
  readonly address: string;
  readonly labels: Readonly<Record<string, string>>;
}

export interface Sample {
  readonly metric: Record<string, string>;
  readonly value: number;
}

export interface RunningPrometheus {
  readonly url: string;
  /** An instant query; the samples of a vector, or the one value of a scalar. */
  query(expr: string): Promise<Sample[]>;
  /** The label sets of the series matching a selector (what Grafana's label_values() reads). */
  series(match: string): Promise<Record<string, string>[]>;
  /** Every metric name Prometheus has stored. */
  metricNames(): Promise<string[]>;
  /** GET /api/v1/rules: every rule with its health and state. */
  rules(): Promise<any[]>;
  /** Resolves once every target has been scraped successfully at least `count` times. */
  waitForScrapes(count: number, timeoutMs?: number): Promise<void>;
  stop(): Promise<void>;
}

/** HOOKGUARD_PROMETHEUS, else `prometheus` on PATH (Debian's package); missing fails with what to run. */
export function prometheusBinary(): string {
  const binary = process.env.HOOKGUARD_PROMETHEUS || 'prometheus';
  const probe = spawnSync(binary, ['--version'], { encoding: 'utf8' });
  if (probe.error || probe.status !== 0) {
    throw new Error(`prometheus not found (${binary}): run \`source scripts/ensure-tools.sh && ensure_deploy_test_tools\` (Debian package prometheus), or set HOOKGUARD_PROMETHEUS`);
  }
  return binary;
}

async function api(url: string, path: string): Promise<any> {
  const res = await fetch(`${url}${path}`);
  const body = (await res.json()) as { status: string; data: any; error?: string };
  if (body.status !== 'success') throw new Error(`prometheus ${path}: ${body.error ?? res.status}`);
  return body.data;
}

/**
 * A real Prometheus on 127.0.0.1, scraping `targets` every second, with its TSDB in a temp folder
 * that stop() removes. `ruleFiles` are loaded and evaluated every second too.
 */
export async function startPrometheus(targets: readonly ScrapeTarget[], options: { ruleFiles?: readonly string[] } = {}): Promise<RunningPrometheus> {
  const binary = prometheusBinary();
  const dir = mkdtempSync(join(tmpdir(), 'hookguard-prometheus-'));
  const jobs = [...new Set(targets.map((t) => t.job))].map((job) => ({
    job_name: job,
    scrape_interval: '1s',
    scrape_timeout: '1s',
    static_configs: targets.filter((t) => t.job === job).map((t) => ({ targets: [t.address], labels: t.labels })),
  }));
  const configFile = join(dir, 'prometheus.yml');
  writeFileSync(configFile, stringify({ global: { scrape_interval: '1s', evaluation_interval: '1s' }, rule_files: options.ruleFiles ?? [], scrape_configs: jobs }));
  const port = await deadPort();
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(
    binary,
    [`--config.file=${configFile}`, `--storage.tsdb.path=${join(dir, 'data')}`, `--web.listen-address=127.0.0.1:${port}`, '--log.level=warn'],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));

  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 20_000;
  for (;;) {
    const ready = await fetch(`${url}/-/ready`).then((r) => r.status === 200, () => false);
    if (ready) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`prometheus did not start:\n${output}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const toNumber = (text: string) => Number(text);
  const query = async (expr: string): Promise<Sample[]> => {
    const data = await api(url, `/api/v1/query?query=${encodeURIComponent(expr)}`);
    if (data.resultType === 'scalar') return [{ metric: {}, value: toNumber(data.result[1]) }];
    if (data.resultType !== 'vector') throw new Error(`unexpected result type ${data.resultType} for ${expr}`);
    return (data.result as { metric: Record<string, string>; value: [number, string] }[]).map((r) => ({ metric: r.metric, value: toNumber(r.value[1]) }));
  };
  return {
    url,
    query,
    async series(match) {
      return api(url, `/api/v1/series?match[]=${encodeURIComponent(match)}&start=${Math.floor(Date.now() / 1000) - 3600}`);
    },
    async metricNames() {
      return api(url, '/api/v1/label/__name__/values');
    },
    async rules() {
      const data = await api(url, '/api/v1/rules');
      return (data.groups as { rules: any[] }[]).flatMap((g) => g.rules);
    },
    async waitForScrapes(count, timeoutMs = 20_000) {
      const until = Date.now() + timeoutMs;
      for (;;) {
        const up = await query(`count_over_time(up[10m]) >= ${count} and up == 1`).catch(() => []);
        if (up.length === targets.length) return;
        if (Date.now() > until) throw new Error(`prometheus did not scrape every target ${count} times:\n${output}`);
        await new Promise((r) => setTimeout(r, 250));
      }
    },
    stop,
  };
}
