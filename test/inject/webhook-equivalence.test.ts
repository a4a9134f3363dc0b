import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import jsonpatch from 'fast-json-patch';
import { parseAllDocuments, stringify as stringifyYaml } from 'yaml';
import { injectDocuments } from '../../src/inject/inject-documents.js';
import { loadInjectOptions } from '../../src/inject/load-inject-options.js';
import { MANIFEST_PARSE_OPTIONS } from '../../src/inject/manifest-yaml-options.js';
import type { InjectorOptions } from '../../src/injector/injector-options.js';
import { parseAdmissionReview } from '../../src/injector/parse-admission-review.js';
import { mutate } from '../../src/injector/review-response.js';
import { annotatedPod, decodePatch, podReview, TEST_OPTIONS } from '../injector/fixtures.js';
import { INJECTOR_CONFIG } from './run-inject.js';

type Obj = Record<string, any>;

/**
 * `hookguard inject` promises the pod the webhook would make. Each pod goes both ways: through an
 * AdmissionReview to the webhook's mutate, whose JSONPatch fast-json-patch applies, and through
 * `inject` as YAML. The two pods must be deep-equal. The pods are the webhook's own golden matrix
 * (test/injector/golden), so every case the webhook is pinned on is checked here too.
 */
const WEBHOOK_GOLDEN = fileURLToPath(new URL('../injector/golden/', import.meta.url));

/** As YAML 1.1, which quotes `yes`: kubectl, and so `inject`, would read a bare `yes` as a boolean. */
function stringify(value: unknown): string {
  return stringifyYaml(value, { version: '1.1' });
}

function readJson(file: string): any {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** The same per-case overrides of the sidecar defaults as test/injector/golden.test.ts. */
function optionsFor(dir: string): InjectorOptions {
  const file = join(dir, 'injector.json');
  if (!existsSync(file)) return TEST_OPTIONS;
  const override = readJson(file) as { sidecar?: Record<string, unknown> };
  const sidecar = { ...TEST_OPTIONS.sidecar, ...override.sidecar };
  if (sidecar.redis === null) delete (sidecar as { redis?: unknown }).redis;
  return { ...TEST_OPTIONS, sidecar: sidecar as InjectorOptions['sidecar'] };
}

function reviewFor(dir: string): Obj {
  const file = join(dir, 'review.json');
  return existsSync(file) ? readJson(file) : podReview(readJson(join(dir, 'pod.json')));
}

/** The webhook's answer applied to the pod: what the API server would store. */
function throughWebhook(review: Obj, options: InjectorOptions): { pod: Obj; result: string } {
  const parsed = parseAdmissionReview(review);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  const { review: answer, outcome } = mutate(parsed.request, options);
  if (answer.response.patch === undefined) return { pod: structuredClone(review.request.object), result: outcome.result };
  const patch = decodePatch(answer);
  return { pod: jsonpatch.applyPatch(structuredClone(review.request.object), patch, true, false).newDocument, result: outcome.result };
}

function throughInject(yaml: string, options: InjectorOptions): Obj[] {
  const result = injectDocuments(yaml, options);
  assert.ok(result.ok, result.ok ? '' : result.errors.join('\n'));
  return parseAllDocuments(result.output, MANIFEST_PARSE_OPTIONS).map((document) => document.toJS() as Obj);
}

/** The pod as the template of a Deployment in the review's namespace, as users write it. */
function asDeployment(pod: Obj, namespace: string): Obj {
  const { namespace: _ignored, ...metadata } = pod.metadata ?? {};
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace },
    spec: { selector: { matchLabels: { app: 'web' } }, template: { metadata, spec: pod.spec } },
  };
}

const cases = readdirSync(WEBHOOK_GOLDEN, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe('inject and the webhook give the same pod', () => {
  it('uses the webhook golden matrix', () => {
    assert.ok(cases.length >= 14, `found ${cases.length} cases`);
  });

  it('reads the golden injector config file as the webhook tests\' TEST_OPTIONS', () => {
    assert.deepEqual(loadInjectOptions(INJECTOR_CONFIG), TEST_OPTIONS);
  });

  for (const name of cases) {
    describe(name, () => {
      const dir = join(WEBHOOK_GOLDEN, name);
      const review = reviewFor(dir);
      const options = optionsFor(dir);
      const pod = review.request.object as Obj;
      // The webhook takes the namespace from the request; inject from the document.
      const namespace = review.request.namespace as string;
      const webhook = throughWebhook(review, options);

      it('is injected by the webhook', () => {
        assert.equal(webhook.result, 'injected');
      });

      it('as a Pod document', () => {
        const [injected] = throughInject(stringify({ ...pod, metadata: { ...pod.metadata, namespace } }), options);
        assert.deepEqual(injected, { ...webhook.pod, metadata: { ...webhook.pod.metadata, namespace } });
      });

      it('as the pod template of a Deployment', () => {
        const [deployment] = throughInject(stringify(asDeployment(pod, namespace)), options);
        const template = deployment!.spec.template;
        const { namespace: _ignored, ...metadata } = webhook.pod.metadata;
        assert.deepEqual(template, { metadata, spec: webhook.pod.spec });
      });

      it('and the same pod again in one stream gives it twice', () => {
        const yaml = [pod, pod].map((p) => stringify({ ...p, metadata: { ...p.metadata, namespace } })).join('---\n');
        const documents = throughInject(yaml, options);
        assert.equal(documents.length, 2);
        assert.deepEqual(documents[0], documents[1]);
      });
    });
  }
});

describe('inject and the webhook decide alike', () => {
  const withOurContainer = annotatedPod() as Obj;
  withOurContainer.spec.containers.push({ name: 'hookguard', image: 'ghcr.io/example/hookguard:1.2.3' });
  const table: { name: string; pod: Obj; namespace?: string }[] = [
    { name: 'it is not requested', pod: annotatedPod({ 'hookguard.io/inject': 'false' }) },
    { name: 'it has the status annotation', pod: annotatedPod({ 'hookguard.io/status': 'injected' }) },
    { name: 'it has a container named hookguard', pod: withOurContainer },
    { name: 'it is in the injector\'s own namespace', pod: annotatedPod(), namespace: 'hookguard' },
  ];

  for (const row of table) {
    it(`leaves the pod alone when ${row.name}, as the webhook does`, () => {
      const namespace = row.namespace ?? 'shop';
      const pod = { ...row.pod, metadata: { ...row.pod.metadata, namespace } };
      const webhook = throughWebhook(podReview(pod, { namespace }), TEST_OPTIONS);
      assert.equal(webhook.result, 'skipped');
      assert.deepEqual(webhook.pod, pod);
      const yaml = stringify(pod);
      const result = injectDocuments(yaml, TEST_OPTIONS);
      assert.ok(result.ok);
      assert.equal(result.output, yaml);
    });
  }

  it('repairs a native sidecar that lost restartPolicy: Always, as the webhook does', () => {
    const first = throughWebhook(podReview(annotatedPod()), TEST_OPTIONS).pod;
    delete first.spec.initContainers[0].restartPolicy;
    const webhook = throughWebhook(podReview(first), TEST_OPTIONS);
    const result = injectDocuments(stringify(first), TEST_OPTIONS);
    assert.ok(result.ok);
    assert.deepEqual(parseAllDocuments(result.output, MANIFEST_PARSE_OPTIONS)[0]!.toJS(), webhook.pod);
    assert.equal(webhook.pod.spec.initContainers[0].restartPolicy, 'Always');
    assert.match(result.warnings.join('\n'), /restored it/);
  });

  it('refuses a pod the webhook denies, with the same problems', () => {
    const pod = annotatedPod({ 'hookguard.io/port': 'http', 'hookguard.io/native-sidecar': 'yes', 'hookguard.io/memory-limit': '1Ti' });
    const parsed = parseAdmissionReview(podReview(pod));
    assert.ok(parsed.ok);
    const { outcome } = mutate(parsed.request, TEST_OPTIONS);
    assert.equal(outcome.result, 'denied');
    const result = injectDocuments(stringify(pod), TEST_OPTIONS);
    assert.ok(!result.ok);
    const problems = outcome.result === 'denied' ? outcome.problems : [];
    assert.equal(result.errors.length, problems.length);
    for (const [i, problem] of problems.entries()) {
      assert.equal(result.errors[i], `document 1 (Pod shop/web-5d8f7c9b4-): ${problem.key}: ${problem.message}`);
    }
  });
});
