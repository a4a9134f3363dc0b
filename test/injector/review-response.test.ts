import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import jsonpatch from 'fast-json-patch';
import { parseAdmissionReview } from '../../src/injector/parse-admission-review.js';
import { mutate } from '../../src/injector/review-response.js';
import { annotatedPod, decodePatch, podReview, TEST_OPTIONS } from './fixtures.js';

function answer(review: Record<string, unknown>) {
  const parsed = parseAdmissionReview(review);
  assert.ok(parsed.ok, parsed.ok ? '' : parsed.reason);
  return mutate(parsed.request, TEST_OPTIONS);
}

describe('mutate', () => {
  it('answers an AdmissionReview v1 echoing the uid with a base64 JSONPatch', () => {
    const { review } = answer(podReview(annotatedPod()));
    assert.equal(review.apiVersion, 'admission.k8s.io/v1');
    assert.equal(review.kind, 'AdmissionReview');
    assert.equal(review.response.uid, '705ab4f5-6393-11e8-b7cc-42010a800002');
    assert.equal(review.response.allowed, true);
    assert.equal(review.response.patchType, 'JSONPatch');
    assert.match(review.response.patch!, /^[A-Za-z0-9+/]+=*$/);
    assert.ok(decodePatch(review).length > 0);
  });

  it('allows an opted-out pod without a patch', () => {
    const { review, outcome } = answer(podReview(annotatedPod({ 'hookguard.io/inject': 'false', 'hookguard.io/port': 'bad' })));
    assert.deepEqual(review.response, { uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true });
    assert.deepEqual(outcome, { result: 'skipped', reason: 'not_requested', warnings: [] });
  });

  it('denies bad annotations with a message naming each annotation and its accepted values', () => {
    const { review, outcome } = answer(podReview(annotatedPod({ 'hookguard.io/port': 'http', 'hookguard.io/native-sidecar': 'yes' })));
    assert.equal(outcome.result, 'denied');
    assert.equal(review.response.allowed, false);
    assert.equal(review.response.patch, undefined);
    assert.equal(review.response.status?.code, 400);
    assert.equal(
      review.response.status?.message,
      'hookguard cannot inject its sidecar: hookguard.io/port: "http" is not accepted; accepted values: a port number from 1 to 65535; ' +
        'hookguard.io/native-sidecar: "yes" is not accepted; accepted values: "true", "false"',
    );
  });

  it('denies a malformed inject value instead of silently skipping the pod', () => {
    const { outcome } = answer(podReview(annotatedPod({ 'hookguard.io/inject': 'True' })));
    assert.equal(outcome.result, 'denied');
    assert.match(outcome.result === 'denied' ? outcome.message : '', /hookguard\.io\/inject: "True" is not accepted; accepted values: "true", "false"/);
  });

  it('reports a bad value once, not again as missing', () => {
    const { outcome } = answer(podReview(annotatedPod({ 'hookguard.io/config': 'Bad_Name' })));
    assert.equal(outcome.result === 'denied' && outcome.problems.length, 1);
  });

  it('allows a pod that is already injected without a patch (reinvocation)', () => {
    const { review, outcome } = answer(podReview(annotatedPod({ 'hookguard.io/status': 'injected' })));
    assert.equal(review.response.patch, undefined);
    assert.deepEqual(outcome, { result: 'skipped', reason: 'already_injected', warnings: [] });
  });

  it('allows anything that is not a Pod without a patch', () => {
    const deployment = { apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web' }, spec: {} };
    const { review, outcome } = answer(podReview(deployment, { kind: { group: 'apps', version: 'v1', kind: 'Deployment' } }));
    assert.deepEqual(review.response, { uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true });
    assert.deepEqual(outcome, { result: 'skipped', reason: 'not_pod_create', warnings: [] });
  });

  for (const operation of ['UPDATE', 'DELETE', 'CONNECT']) {
    it(`allows a pod ${operation} without a patch`, () => {
      const { review, outcome } = answer(podReview(operation === 'DELETE' ? null : annotatedPod(), { operation }));
      assert.equal(review.response.allowed, true);
      assert.equal(review.response.patch, undefined);
      assert.equal(outcome.result === 'skipped' && outcome.reason, 'not_pod_create');
    });
  }

  it('puts back restartPolicy: Always when another webhook stripped it from our native sidecar', () => {
    const first = answer(podReview(annotatedPod()));
    const patched = jsonpatch.applyPatch(annotatedPod(), decodePatch(first.review), true, false).newDocument as any;
    delete patched.spec.initContainers[0].restartPolicy;
    const { review, outcome } = answer(podReview(patched));
    assert.equal(outcome.result === 'skipped' && outcome.reason, 'already_injected');
    assert.deepEqual(decodePatch(review), [{ op: 'add', path: '/spec/initContainers/0/restartPolicy', value: 'Always' }]);
    assert.match(review.response.warnings?.[0] ?? '', /restored/);
  });

  it("leaves pods in the injector's own namespace alone", () => {
    const { outcome } = answer(podReview(annotatedPod(), { namespace: 'hookguard' }));
    assert.deepEqual(outcome, { result: 'skipped', reason: 'own_namespace', warnings: [] });
  });

  it('warns when our annotations are there without hookguard.io/inject (put on the workload, not the template)', () => {
    const pod = annotatedPod();
    delete (pod.metadata as { annotations: Record<string, string> }).annotations['hookguard.io/inject'];
    const { review, outcome } = answer(podReview(pod));
    assert.equal(outcome.result === 'skipped' && outcome.reason, 'not_requested');
    assert.equal(review.response.warnings?.length, 1);
    assert.match(review.response.warnings![0]!, /without hookguard\.io\/inject: "true": not injected; annotate the pod template/);
  });

  it('warns about hookguard.io keys it does not know, and still injects', () => {
    const { review, outcome } = answer(podReview(annotatedPod({ 'hookguard.io/upstream_port': '3000' })));
    assert.equal(outcome.result, 'injected');
    assert.match(review.response.warnings?.[0] ?? '', /^hookguard\.io\/upstream_port is not a hookguard annotation/);
    assert.ok(review.response.warnings!.every((w) => w.length <= 256 && !w.includes('\n')));
  });

  it('warns that Services must target the sidecar port when the app port has no name', () => {
    const { review } = answer(podReview(annotatedPod({}, { ports: [{ containerPort: 3000 }] })));
    assert.match(review.response.warnings?.[0] ?? '', /port 3000 has no name .* target port 8080/);
    assert.ok(review.response.warnings![0]!.length <= 256);
  });

  it('carries no warnings field when there is nothing to say', () => {
    const { review } = answer(podReview(annotatedPod()));
    assert.equal('warnings' in review.response, false);
  });
});
