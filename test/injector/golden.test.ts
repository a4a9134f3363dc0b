import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import jsonpatch from 'fast-json-patch';
import type { InjectorOptions } from '../../src/injector/injector-options.js';
import { parseAdmissionReview } from '../../src/injector/parse-admission-review.js';
import { mutate } from '../../src/injector/review-response.js';
import { decodePatch, podReview, TEST_OPTIONS } from './fixtures.js';
import { assertValidPod, findPort } from './validate-pod.js';

/**
 * Golden files pin the exact patch for a matrix of pods. Each case directory holds `pod.json` (or a
 * whole `review.json`), optionally `injector.json` (overrides of the sidecar defaults), and the
 * expected `patch.json` and `pod.out.json`. `UPDATE_GOLDEN=1` rewrites the expected files.
 */
const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

function readJson(file: string): any {
  return JSON.parse(readFileSync(file, 'utf8'));
}

function writeJson(file: string, value: unknown): void {
  writeFileSync(file, `${JSON.stringify(value, null, 2)}\n`);
}

function optionsFor(dir: string): InjectorOptions {
  const file = join(dir, 'injector.json');
  if (!existsSync(file)) return TEST_OPTIONS;
  const override = readJson(file) as { sidecar?: Record<string, unknown> };
  const sidecar = { ...TEST_OPTIONS.sidecar, ...override.sidecar };
  if (sidecar.redis === null) delete (sidecar as { redis?: unknown }).redis;
  return { ...TEST_OPTIONS, sidecar: sidecar as InjectorOptions['sidecar'] };
}

function reviewFor(dir: string): any {
  const file = join(dir, 'review.json');
  return existsSync(file) ? readJson(file) : podReview(readJson(join(dir, 'pod.json')));
}

const cases = readdirSync(GOLDEN, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

describe('golden injection cases', () => {
  it('has the whole matrix', () => {
    assert.ok(cases.length >= 14, `found ${cases.length} cases`);
  });

  it('checks with a pod validator that does refuse broken pods', () => {
    const good = readJson(join(GOLDEN, 'native-named-port', 'pod.out.json'));
    const broken = [
      (pod: any) => (pod.spec.containers[0].ports[0].containerPort = '3000'),
      (pod: any) => (pod.spec.initContainers[0].ports[0].name = 'this-name-is-too-long'),
      (pod: any) => pod.spec.containers.push({ name: 'hookguard', image: 'x' }),
      (pod: any) => (pod.spec.initContainers[0].volumeMounts[0].name = 'missing'),
      (pod: any) => (pod.spec.containers[0].readinessProbe.httpGet.port = 'http'),
    ];
    for (const breakIt of broken) {
      const pod = structuredClone(good);
      breakIt(pod);
      assert.throws(() => assertValidPod(pod));
    }
  });

  for (const name of cases) {
    describe(name, () => {
      const dir = join(GOLDEN, name);
      const review = reviewFor(dir);
      const options = optionsFor(dir);
      const parsed = parseAdmissionReview(review);
      assert.ok(parsed.ok, `${name}: the review parses`);
      const result = mutate(parsed.request, options);
      const patch = result.outcome.result === 'injected' ? decodePatch(result.review) : [];
      const patched = jsonpatch.applyPatch(structuredClone(review.request.object), jsonpatch.deepClone(patch), true, false).newDocument;
      if (UPDATE) {
        writeJson(join(dir, 'patch.json'), patch);
        writeJson(join(dir, 'pod.out.json'), patched);
      }

      it('injects, echoing the request uid', () => {
        assert.equal(result.outcome.result, 'injected', JSON.stringify(result.outcome));
        assert.equal(result.review.response.uid, review.request.uid);
        assert.equal(result.review.response.allowed, true);
        assert.equal(result.review.response.patchType, 'JSONPatch');
      });

      it('renders the golden patch', () => {
        assert.deepEqual(patch, readJson(join(dir, 'patch.json')));
      });

      it('gives the golden pod when fast-json-patch applies the patch', () => {
        assert.deepEqual(patched, readJson(join(dir, 'pod.out.json')));
      });

      it('gives a pod that passes the Kubernetes Pod schema and the API server rules', () => {
        assertValidPod(patched);
      });

      it('adds exactly one hookguard container, hardened', () => {
        const all = [...(patched.spec.initContainers ?? []), ...patched.spec.containers];
        const ours = all.filter((c: any) => c.name === 'hookguard');
        assert.equal(ours.length, 1);
        const sc = ours[0].securityContext;
        assert.equal(sc.runAsNonRoot, true);
        assert.equal(sc.readOnlyRootFilesystem, true);
        assert.equal(sc.allowPrivilegeEscalation, false);
        assert.deepEqual(sc.capabilities.drop, ['ALL']);
        assert.equal(sc.seccompProfile.type, 'RuntimeDefault');
        for (const env of ours[0].env) assert.equal(env.name === 'HOOKGUARD_REDIS_PASSWORD' && 'value' in env, false, 'no literal password');
      });

      it('sends Services that target the app port by name to the sidecar', () => {
        if (result.outcome.result !== 'injected' || result.outcome.takeover === undefined) return;
        assert.equal(findPort(patched, result.outcome.takeover.name), result.outcome.options.port);
        assert.equal(findPort(patched, result.outcome.takeover.renamedTo), result.outcome.options.upstreamPort);
      });

      it('is left alone when reviewed again (reinvocation)', () => {
        const again = parseAdmissionReview({ ...review, request: { ...review.request, object: patched } });
        assert.ok(again.ok);
        const second = mutate(again.request, options);
        assert.deepEqual(second.outcome, { result: 'skipped', reason: 'already_injected', warnings: [] });
        assert.equal(second.review.response.patch, undefined);
      });
    });
  }
});
