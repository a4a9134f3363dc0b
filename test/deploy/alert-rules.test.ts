import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { REPO } from '../helm/helm.js';
import { signalsOf, splitComparison, splitSetOperators } from './promql-signals.js';

const RULES_FILE = join(REPO, 'deploy/prometheus/hookguard-rules.yaml');
const RULES_TEXT = readFileSync(RULES_FILE, 'utf8');
const RULES = parse(RULES_TEXT) as { groups: { name: string; rules: Rule[] }[] };
const ALERTS = RULES.groups.flatMap((g) => g.rules);

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

/** HOOKGUARD_PROMTOOL, else `promtool` on PATH (Debian's prometheus package). */
function promtool(args: string[], cwd = REPO) {
  const binary = process.env.HOOKGUARD_PROMTOOL || 'promtool';
  const result = spawnSync(binary, args, { cwd, encoding: 'utf8' });
  if (result.error) throw new Error(`promtool not found (${binary}): run \`source scripts/ensure-tools.sh && ensure_deploy_test_tools\` (Debian package prometheus)`);
  return result;
}

const scratch = mkdtempSync(join(tmpdir(), 'hookguard-rules-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

describe('deploy/prometheus/hookguard-rules.yaml', () => {
  it('passes promtool check rules', () => {
    const result = promtool(['check', 'rules', RULES_FILE]);
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
    assert.match(result.stdout, new RegExp(`SUCCESS: ${ALERTS.length} rules found`));
  });

  it('is the file the chart ships in its PrometheusRule', () => {
    assert.equal(readFileSync(join(REPO, 'helm/hookguard/files/hookguard-rules.yaml'), 'utf8'), RULES_TEXT, 'copy deploy/prometheus/hookguard-rules.yaml to helm/hookguard/files/');
  });

  it('has the alerts of the issue', () => {
    const names = ALERTS.map((a) => a.alert);
    for (const name of ['HookguardHighRejectionRate', 'HookguardSignatureFailures', 'HookguardRedisDown', 'HookguardUpstreamErrors', 'HookguardRateLimitSaturation', 'HookguardInjectorErrors']) {
      assert.ok(names.includes(name), `${name} exists`);
    }
    assert.match(ALERTS.find((a) => a.alert === 'HookguardHighRejectionRate')!.expr, /by \(namespace, hook, reason\)/, 'per reason');
  });

  it('gives every alert a for:, a severity, a summary, a description and a runbook section that exists', () => {
    const observability = readFileSync(join(REPO, 'docs/observability.md'), 'utf8');
    const anchors = new Set([...observability.matchAll(/^#{2,4} (.+)$/gm)].map((m) => m[1]!.trim().toLowerCase().replace(/[^a-z0-9 -]/g, '').replace(/ /g, '-')));
    for (const alert of ALERTS) {
      assert.match(alert.for, /^\d+[smh]$/, `${alert.alert} for`);
      assert.ok(['critical', 'warning', 'info'].includes(alert.labels.severity!), `${alert.alert} severity`);
      assert.ok(alert.annotations.summary && alert.annotations.description, `${alert.alert} summary and description`);
      const anchor = /docs\/observability\.md#([a-z0-9-]+)$/.exec(alert.annotations.runbook_url ?? '')?.[1];
      assert.ok(anchor && anchors.has(anchor), `${alert.alert} runbook_url points at a section of docs/observability.md (${alert.annotations.runbook_url})`);
    }
  });

  it('writes every expression as signals compared with thresholds (what the observability test evaluates)', () => {
    for (const alert of ALERTS) {
      const parts = splitSetOperators(alert.expr);
      for (const part of parts) assert.equal(splitComparison(part).length, 2, `${alert.alert}: "${part}" is a comparison`);
      assert.ok(signalsOf(alert.expr).every((s) => /hookguard_/.test(s)), `${alert.alert}: every signal reads a hookguard metric`);
    }
  });

  describe('fires on the situations it describes, and only then (promtool test rules)', () => {
    // promtool compares annotations too; those are checked by `check rules` and the observability
    // test, so a copy without them keeps these cases about thresholds, windows and labels.
    const bare = { groups: RULES.groups.map((g) => ({ ...g, rules: g.rules.map(({ annotations: _annotations, ...rule }) => rule) })) };
    const rulesCopy = join(scratch, 'rules.yaml');
    writeFileSync(rulesCopy, stringify(bare));

    const series = (name: string, labels: Record<string, string>, values: string) => ({
      series: `${name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(', ')}}`,
      values,
    });
    const shop = { namespace: 'shop', pod: 'web-1' };
    const requests = (hook: string, outcome: string, values: string) => series('hookguard_requests_total', { ...shop, hook, outcome }, values);
    const rejections = (hook: string, reason: string, values: string) => series('hookguard_rejections_total', { ...shop, hook, reason }, values);
    const upstream = (hook: string, statusClass: string, values: string) => series('hookguard_upstream_duration_seconds_count', { ...shop, hook, status_class: statusClass }, values);
    const injections = (result: string, values: string) => series('hookguard_injections_total', { namespace: 'hookguard', pod: 'hookguard-injector-1', result }, values);

    const cases: { name: string; input: object[]; alert: string; at: string; expect: Record<string, string>[] }[] = [
      {
        name: 'half the deliveries refused for their source',
        input: [requests('github', 'accepted', '0+10x30'), requests('github', 'rejected', '0+10x30'), rejections('github', 'source', '0+10x30')],
        alert: 'HookguardHighRejectionRate', at: '20m', expect: [{ severity: 'warning', namespace: 'shop', hook: 'github', reason: 'source' }],
      },
      {
        name: 'one refusal in a hundred',
        input: [requests('github', 'accepted', '0+100x30'), requests('github', 'rejected', '0+1x30'), rejections('github', 'source', '0+1x30')],
        alert: 'HookguardHighRejectionRate', at: '20m', expect: [],
      },
      {
        name: 'signature failures out of nowhere',
        input: [rejections('stripe', 'signature', '0x60 0+30x15')],
        alert: 'HookguardSignatureFailures', at: '72m', expect: [{ severity: 'warning', namespace: 'shop', hook: 'stripe' }],
      },
      {
        name: 'the same steady trickle of bad signatures for two hours',
        input: [rejections('stripe', 'signature', '0+30x120')],
        alert: 'HookguardSignatureFailures', at: '110m', expect: [],
      },
      {
        name: 'a fifth of the deliveries rate-limited',
        input: [requests('github', 'accepted', '0+40x30'), requests('github', 'rejected', '0+10x30'), rejections('github', 'rate_limited', '0+10x30')],
        alert: 'HookguardRateLimitSaturation', at: '20m', expect: [{ severity: 'warning', namespace: 'shop', hook: 'github' }],
      },
      {
        name: 'a locked-out source that keeps trying',
        input: [rejections('github', 'locked_out', '0+5x30')],
        alert: 'HookguardSourcesLockedOut', at: '15m', expect: [{ severity: 'info', namespace: 'shop', hook: 'github' }],
      },
      {
        name: 'an app that cannot be reached',
        input: [requests('github', 'accepted', '0+10x30'), requests('github', 'upstream_error', '0+5x30')],
        alert: 'HookguardUpstreamErrors', at: '15m', expect: [{ severity: 'critical', namespace: 'shop', hook: 'github' }],
      },
      {
        name: 'an app that answers 5xx',
        input: [upstream('github', '2xx', '0+10x30'), upstream('github', '5xx', '0+5x30')],
        alert: 'HookguardAppServerErrors', at: '20m', expect: [{ severity: 'warning', namespace: 'shop', hook: 'github' }],
      },
      {
        name: 'Redis down for three minutes',
        input: [series('hookguard_redis_up', shop, '1x5 0x10')],
        alert: 'HookguardRedisDown', at: '10m', expect: [{ severity: 'critical', namespace: 'shop', pod: 'web-1' }],
      },
      {
        name: 'Redis gone for a minute only',
        input: [series('hookguard_redis_up', shop, '1x5 0 1x10')],
        alert: 'HookguardRedisDown', at: '7m', expect: [],
      },
      {
        name: 'a refused config change',
        input: [series('hookguard_config_reloads_total', { ...shop, result: 'refused' }, '0x5 1x10')],
        alert: 'HookguardConfigReloadRefused', at: '8m', expect: [{ severity: 'warning', namespace: 'shop', pod: 'web-1' }],
      },
      {
        name: 'injector errors',
        input: [injections('error', '0+2x20'), injections('injected', '0+10x20')],
        alert: 'HookguardInjectorErrors', at: '15m', expect: [{ severity: 'critical', namespace: 'hookguard' }],
      },
      {
        name: 'an injector that only injects',
        input: [injections('error', '0x20'), injections('injected', '0+10x20')],
        alert: 'HookguardInjectorErrors', at: '15m', expect: [],
      },
      {
        name: 'a pod denied for bad annotations',
        input: [injections('denied', '0x5 1x10')],
        alert: 'HookguardInjectionsDenied', at: '8m', expect: [{ severity: 'warning', namespace: 'hookguard' }],
      },
    ];

    for (const testCase of cases) {
      it(`${testCase.alert} ${testCase.expect.length > 0 ? 'fires' : 'stays quiet'} for ${testCase.name}`, () => {
        const file = join(scratch, `${testCase.alert}-${cases.indexOf(testCase)}.yaml`);
        writeFileSync(
          file,
          stringify({
            rule_files: [rulesCopy],
            evaluation_interval: '1m',
            tests: [
              {
                interval: '1m',
                input_series: testCase.input,
                alert_rule_test: [{ eval_time: testCase.at, alertname: testCase.alert, exp_alerts: testCase.expect.map((labels) => ({ exp_labels: labels })) }],
              },
            ],
          }),
        );
        const result = promtool(['test', 'rules', file], scratch);
        assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
      });
    }
  });
});

describe('promql-signals', () => {
  const cases: [string, string[]][] = [
    ['rate(a[5m]) > 0.1', ['rate(a[5m])']],
    ['min by (pod) (up) < 1', ['min by (pod) (up)']],
    ['sum(rate(a{x!="y"}[5m])) / on (hook) group_left sum(rate(b[5m])) > 0.25 and sum(rate(a[5m])) > 0.05', ['sum(rate(a{x!="y"}[5m])) / on (hook) group_left sum(rate(b[5m]))', 'sum(rate(a[5m]))']],
    ['rate(a[5m]) > 3 * rate(a[1h])', ['rate(a[5m])', '3 * rate(a[1h])']],
    ['a > bool 1', ['a']],
    ['a{reason=~"x|y"} >= 2 unless on (pod) b == 0', ['a{reason=~"x|y"}', 'b']],
    ['sum by (band) (candidates)', ['sum by (band) (candidates)']],
  ];
  for (const [expr, signals] of cases) {
    it(`splits ${expr}`, () => assert.deepEqual(signalsOf(expr), signals));
  }
});
