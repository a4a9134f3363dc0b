import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { runInjector, type RunningInjector } from '../../src/injector/run-injector.js';
import { captureLogger } from '../helpers/log-sink.js';
import { send } from '../helpers/http-client.js';
import { startPrometheus, type RunningPrometheus, type Sample } from '../helpers/prometheus.js';
import { secretsDir, startSidecar, type TestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';
import { annotatedPod, podReview } from '../injector/fixtures.js';
import { httpsRequest } from '../injector/https-client.js';
import { makeCertificate } from '../injector/make-certificate.js';
import { REPO } from '../helm/helm.js';
import { signalsOf } from './promql-signals.js';

/**
 * A real Prometheus scrapes a real sidecar and a real injector that have seen a mix of good and bad
 * traffic; then every query of the Grafana dashboard and every alert expression of the rule file
 * is evaluated through Prometheus's HTTP API and must return data.
 *
 * Alert expressions compare a signal with a threshold and are empty while all is well, so each is
 * split (promql-signals.ts) into its signals, the sides of its comparisons without the number,
 * and every signal must return data. Prometheus also loads the rule file itself, and every rule
 * must evaluate without error.
 */

const DASHBOARD = JSON.parse(readFileSync(join(REPO, 'deploy/grafana/hookguard-dashboard.json'), 'utf8'));
const RULES_FILE = join(REPO, 'deploy/prometheus/hookguard-rules.yaml');
const RULES = parse(readFileSync(RULES_FILE, 'utf8')) as { groups: { name: string; rules: { alert: string; expr: string }[] }[] };
const ALERTS = RULES.groups.flatMap((g) => g.rules);

const POD = 'web-7c9f8d6b5-x2kqp';
const INJECTOR_POD = 'hookguard-injector-6d4b9c7f8-abcde';
const TOKEN = 'gitlab-token-for-the-observability-test';

/** Grafana's values for the template variables: "All" (its allValue), and one concrete selection. */
const ALL = { namespace: '.*', pod: '.*', hook: '.*' };
const SELECTED = { namespace: 'shop', pod: POD, hook: '(gitlab|flaky|gone)' };

function dashboardTargets(): { panel: string; expr: string }[] {
  const panels = DASHBOARD.panels.flatMap((p: any) => (p.type === 'row' ? (p.panels ?? []) : [p]));
  return panels.flatMap((panel: any) => (panel.targets ?? []).map((t: any) => ({ panel: panel.title, expr: t.expr as string })));
}

function substitute(expr: string, values: Record<string, string>): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('$__interval', '15s')
    .replace(/\$\{?(\w+)\}?/g, (whole, name: string) => values[name] ?? whole);
}

function metricNamesIn(expr: string): string[] {
  return [...expr.matchAll(/\b(hookguard_[a-z_]+|process_[a-z_]+|nodejs_[a-z0-9_]+)\b/g)].map((m) => m[1]!);
}

function assertData(samples: Sample[], what: string): void {
  assert.ok(samples.length > 0, `${what} returns no data`);
  assert.ok(samples.some((s) => Number.isFinite(s.value)), `${what} returns only NaN or Inf: ${JSON.stringify(samples)}`);
}

describe('the dashboard and the alerts against a scraped sidecar and injector', { timeout: 120_000 }, () => {
  let prometheus: RunningPrometheus;
  let sidecar: TestSidecar;
  let injector: RunningInjector;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  const secrets = secretsDir();
  const tlsDir = mkdtempSync(join(tmpdir(), 'hookguard-observability-'));

  /** The mix of deliveries: accepted, rejected for several reasons, app errors, unreachable app, 429s. */
  async function traffic(round: number): Promise<void> {
    const good = { 'content-type': 'application/json', 'x-gitlab-token': TOKEN, 'user-agent': 'GitLab/17.0.0' };
    const body = JSON.stringify({ object_kind: 'push', round });
    const post = (path: string, headers: Record<string, string> = good, method = 'POST') => send(`${sidecar.url}${path}`, { method, headers, ...(method === 'POST' && { body }) });
    for (let i = 0; i < 6; i += 1) assert.equal((await post('/hooks/gitlab')).status, 200);
    for (let i = 0; i < 3; i += 1) assert.equal((await post('/hooks/gitlab', { ...good, 'x-gitlab-token': 'wrong' })).status, 401);
    assert.equal((await post('/hooks/gitlab', { ...good, 'content-type': 'text/plain' })).status, 415);
    assert.equal((await post('/hooks/gitlab', good, 'GET')).status, 405);
    assert.equal((await post('/hooks/nowhere')).status, 404);
    assert.equal((await post('/hooks/flaky')).status, 500, "the app's own 500 is passed back");
    assert.equal((await post('/hooks/gone')).status, 502);
    // Past perSource's points: 429 with Retry-After.
    let limited = 0;
    for (let i = 0; i < 12; i += 1) if ((await post('/hooks/limited')).status === 429) limited += 1;
    assert.ok(limited > 0, 'the rate limit answered 429');
  }

  before(async () => {
    upstream = await startUpstream((req, res) => {
      if (req.url.startsWith('/webhooks/fail')) return void res.writeHead(500).end('boom');
      if (req.url.startsWith('/webhooks/drop')) return void res.socket?.destroy();
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    const secret = secrets.secret(TOKEN);
    const hook = (name: string, upstreamPath: string, extra: Record<string, unknown> = {}) => ({
      name,
      path: `/hooks/${name}`,
      upstreamPath,
      provider: 'gitlab',
      secrets: [secret],
      contentTypes: ['application/json'],
      ...extra,
    });
    sidecar = await startSidecar(
      {
        upstream: upstream.url,
        hooks: [
          hook('gitlab', '/webhooks/gitlab'),
          hook('flaky', '/webhooks/fail'),
          hook('gone', '/webhooks/drop'),
          hook('limited', '/webhooks/limited', { rateLimit: { perSource: { points: 5, durationSeconds: 60 } } }),
        ],
      },
      { logLevel: 'fatal' },
    );

    makeCertificate(tlsDir, 'injector');
    const configFile = join(tlsDir, 'injector.yaml');
    writeFileSync(
      configFile,
      stringify({ listen: '127.0.0.1:0', admin: '127.0.0.1:0', tls: { certFile: join(tlsDir, 'injector.crt'), keyFile: join(tlsDir, 'injector.key') }, sidecar: { image: 'ghcr.io/hookguard/hookguard:0.1.0' }, namespace: 'hookguard' }),
    );
    injector = await runInjector({ configPath: configFile, logger: captureLogger('fatal').logger, env: {} });

    const address = (url: string) => url.replace(/^http:\/\//, '');
    prometheus = await startPrometheus(
      [
        // The labels the PodMonitor and ServiceMonitor give targets in a cluster.
        { job: 'shop/hookguard-sidecars', address: address(sidecar.adminUrl), labels: { namespace: 'shop', pod: POD, container: 'hookguard' } },
        { job: 'hookguard-injector-metrics', address: `${injector.adminAddress.host}:${injector.adminAddress.port}`, labels: { namespace: 'hookguard', pod: INJECTOR_POD, container: 'injector' } },
      ],
      { ruleFiles: [RULES_FILE] },
    );
    await prometheus.waitForScrapes(2);
    await traffic(1);
    const review = (pod: Record<string, unknown>) => httpsRequest({ port: injector.address.port, body: JSON.stringify(podReview(pod)) });
    assert.equal((await review(annotatedPod())).status, 200);
    assert.equal((await review(annotatedPod({ 'hookguard.io/port': 'http' }))).status, 200, 'denied, answered 200');
    assert.equal((await httpsRequest({ port: injector.address.port, body: '{"not":"a review"}' })).status, 400);
    await prometheus.waitForScrapes(4);
    await traffic(2);
    // Enough scrapes after the second round for rate() windows to see the increase, and for the
    // rule manager to have evaluated every rule.
    await new Promise((resolve) => setTimeout(resolve, 3_500));
  });

  after(async () => {
    await prometheus?.stop();
    await sidecar?.stop();
    await injector?.close();
    await upstream?.close();
    secrets.remove();
    rmSync(tlsDir, { recursive: true, force: true });
  });

  it('every dashboard query returns data, with every template variable on All', async () => {
    const targets = dashboardTargets();
    assert.ok(targets.length >= 20, `the dashboard has its queries (${targets.length})`);
    for (const { panel, expr } of targets) assertData(await prometheus.query(substitute(expr, ALL)), `panel "${panel}": ${expr}`);
  });

  it('every dashboard query returns data for one selected namespace, pod and set of hooks', async () => {
    for (const { panel, expr } of dashboardTargets()) assertData(await prometheus.query(substitute(expr, SELECTED)), `panel "${panel}" (selected): ${expr}`);
  });

  it("every template variable's query finds the values to offer", async () => {
    const offered: Record<string, string[]> = {};
    for (const variable of DASHBOARD.templating.list.filter((v: any) => v.type === 'query')) {
      const query = variable.query.query as string;
      const match = /^label_values\((.+),\s*(\w+)\)$/.exec(query);
      assert.ok(match, `${variable.name} uses label_values(selector, label): ${query}`);
      const series = await prometheus.series(substitute(match[1]!, ALL));
      offered[variable.name] = [...new Set(series.map((s) => s[match[2]!]).filter((v): v is string => v !== undefined))].sort();
    }
    assert.deepEqual(offered, { namespace: ['shop'], pod: [POD], hook: ['flaky', 'gitlab', 'gone', 'limited', 'unmatched'] });
  });

  it('every metric the dashboard and the alerts name is in the scrape', async () => {
    const stored = new Set(await prometheus.metricNames());
    const named = new Set([
      ...dashboardTargets().flatMap((t) => metricNamesIn(t.expr)),
      ...DASHBOARD.templating.list.flatMap((v: any) => metricNamesIn(String(v.query?.query ?? ''))),
      ...ALERTS.flatMap((a) => metricNamesIn(a.expr)),
    ]);
    assert.ok(named.size >= 10, `metric names found (${[...named].join(', ')})`);
    assert.deepEqual([...named].filter((name) => !stored.has(name)), []);
  });

  it('every signal of every alert expression returns data', async () => {
    for (const alert of ALERTS) {
      const signals = signalsOf(alert.expr);
      assert.ok(signals.length > 0, `${alert.alert} has a signal`);
      for (const signal of signals) assertData(await prometheus.query(signal), `${alert.alert}: ${signal}`);
    }
  });

  it('Prometheus evaluates every rule of the file without error, and the broken hooks trip their alerts', async () => {
    const rules = await prometheus.rules();
    assert.equal(rules.length, ALERTS.length);
    for (const rule of rules) {
      assert.equal(rule.health, 'ok', `${rule.name}: ${rule.lastError ?? ''}`);
      assert.ok(rule.lastEvaluation && !rule.lastEvaluation.startsWith('0001'), `${rule.name} was evaluated`);
    }
    const state = (name: string) => rules.find((r) => r.name === name);
    const hooksOf = (name: string) => state(name).alerts.map((a: any) => a.labels.hook).sort();
    // Every delivery to "gone" ends in 502, every one to "flaky" in the app's 500: both past their thresholds.
    assert.deepEqual(hooksOf('HookguardUpstreamErrors'), ['gone']);
    assert.deepEqual(hooksOf('HookguardAppServerErrors'), ['flaky']);
    assert.deepEqual(hooksOf('HookguardRateLimitSaturation'), ['limited']);
    assert.equal(state('HookguardRedisDown').alerts.length, 0, 'in-memory state reads as up');
    assert.equal(state('HookguardInjectorErrors').state, 'pending', 'the malformed review counts as an injector error');
    assert.equal(state('HookguardInjectionsDenied').state, 'firing', 'denied pods alert at once (for: 0m)');
  });
});
