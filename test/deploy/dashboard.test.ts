import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { REPO } from '../helm/helm.js';

const TEXT = readFileSync(join(REPO, 'deploy/grafana/hookguard-dashboard.json'), 'utf8');
const DASHBOARD = JSON.parse(TEXT);
const PANELS: any[] = DASHBOARD.panels.flatMap((p: any) => (p.type === 'row' ? [p, ...(p.panels ?? [])] : [p]));
const GRAPHS = PANELS.filter((p) => p.type !== 'row');
const TARGETS: { panel: any; expr: string; legend: string }[] = GRAPHS.flatMap((panel) => panel.targets.map((t: any) => ({ panel, expr: t.expr, legend: t.legendFormat ?? '' })));

/** Metrics of the injector: it runs in its own namespace, so the app filters do not apply. */
const INJECTOR_METRICS = new Set(['hookguard_injections_total']);
const PER_HOOK = new Set(['hookguard_requests_total', 'hookguard_rejections_total', 'hookguard_request_duration_seconds_bucket', 'hookguard_upstream_duration_seconds_bucket', 'hookguard_upstream_duration_seconds_count', 'hookguard_token_rotations_total']);

function selectors(expr: string): { metric: string; matchers: string }[] {
  return [...expr.matchAll(/\b((?:hookguard|process|nodejs)_[a-z0-9_]+)(\{([^}]*)\})?/g)].map((m) => ({ metric: m[1]!, matchers: m[3] ?? '' }));
}

describe('deploy/grafana/hookguard-dashboard.json', () => {
  it('is the dashboard the chart ships', () => {
    assert.equal(readFileSync(join(REPO, 'helm/hookguard/files/hookguard-dashboard.json'), 'utf8'), TEXT, 'copy deploy/grafana/hookguard-dashboard.json to helm/hookguard/files/');
  });

  it('has a fixed uid and a data source variable, so it imports and provisions anywhere', () => {
    assert.equal(DASHBOARD.uid, 'hookguard');
    const datasource = DASHBOARD.templating.list.find((v: any) => v.name === 'datasource');
    assert.deepEqual([datasource.type, datasource.query], ['datasource', 'prometheus']);
    for (const panel of GRAPHS) {
      assert.equal(panel.datasource.uid, '${datasource}', `${panel.title} uses the data source variable`);
      for (const target of panel.targets) assert.equal(target.datasource.uid, '${datasource}');
    }
  });

  it('offers namespace, pod and hook as multi-value variables with an All option', () => {
    const names = DASHBOARD.templating.list.filter((v: any) => v.type === 'query').map((v: any) => v.name);
    assert.deepEqual(names, ['namespace', 'pod', 'hook']);
    for (const variable of DASHBOARD.templating.list.filter((v: any) => v.type === 'query')) {
      assert.equal(variable.multi, true);
      assert.equal(variable.includeAll, true);
      assert.equal(variable.allValue, '.*', 'All matches series of any value, not only those listed');
    }
  });

  it('filters every sidecar query by the namespace, pod and hook variables', () => {
    for (const { panel, expr } of TARGETS) {
      for (const { metric, matchers } of selectors(expr)) {
        if (INJECTOR_METRICS.has(metric)) continue;
        // `and on (instance) hookguard_redis_up` keeps only targets that are hookguard sidecars.
        if (matchers === '' && expr.includes(`and on (instance) ${metric}`)) continue;
        assert.match(matchers, /namespace=~"\$namespace"/, `${panel.title}: ${metric} filtered by namespace`);
        assert.match(matchers, /pod=~"\$pod"/, `${panel.title}: ${metric} filtered by pod`);
        if (PER_HOOK.has(metric)) assert.match(matchers, /hook=~"\$hook"/, `${panel.title}: ${metric} filtered by hook`);
      }
    }
  });

  it('names in each legend only labels its query keeps', () => {
    for (const { panel, expr, legend } of TARGETS) {
      const kept = new Set([...expr.matchAll(/by \(([^)]*)\)/g)].flatMap((m) => m[1]!.split(',').map((s) => s.trim())));
      for (const [, label] of legend.matchAll(/\{\{\s*(\w+)\s*\}\}/g)) assert.ok(kept.has(label!), `${panel.title}: legend {{${label}}} is kept by ${expr}`);
    }
  });

  it('shows what the issue asks for', () => {
    const has = (pattern: RegExp) => TARGETS.some((t) => pattern.test(t.expr));
    assert.ok(has(/sum by \(hook, outcome\) \(rate\(hookguard_requests_total/), 'requests by hook');
    assert.ok(has(/sum by \(hook, reason\) \(rate\(hookguard_rejections_total/), 'rejections by hook and reason');
    for (const quantile of ['0.5', '0.9', '0.99']) {
      assert.ok(has(new RegExp(`histogram_quantile\\(${quantile}, sum by \\(le\\) \\(rate\\(hookguard_request_duration_seconds_bucket`)), `gateway p${quantile}`);
      assert.ok(has(new RegExp(`histogram_quantile\\(${quantile}, sum by \\(le\\) \\(rate\\(hookguard_upstream_duration_seconds_bucket`)), `app p${quantile}`);
    }
    assert.ok(has(/outcome="upstream_error"/), 'upstream errors');
    assert.ok(has(/status_class/), 'app answers by status class');
    assert.ok(has(/hookguard_redis_up/), 'Redis state');
    assert.ok(has(/hookguard_token_rotations_total/), 'token rotations');
    assert.ok(has(/hookguard_injections_total/), 'injections');
  });

  it('lays panels out on the 24-column grid without overlaps and with unique ids', () => {
    const ids = PANELS.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length);
    const boxes = PANELS.map((p) => ({ title: p.title, ...p.gridPos }));
    for (const box of boxes) assert.ok(box.x >= 0 && box.w > 0 && box.x + box.w <= 24, `${box.title} fits the grid`);
    for (const [i, a] of boxes.entries()) {
      for (const b of boxes.slice(i + 1)) {
        const overlap = a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
        assert.ok(!overlap, `${a.title} and ${b.title} overlap`);
      }
    }
  });

  it('describes every panel', () => {
    for (const panel of GRAPHS) assert.ok(panel.description?.length > 10, `${panel.title} has a description`);
  });
});
