import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAdmissionReview } from '../../src/injector/parse-admission-review.js';
import { annotatedPod, podReview } from './fixtures.js';

describe('parseAdmissionReview', () => {
  it('reads the uid, the context and the pod of a pod CREATE', () => {
    const parsed = parseAdmissionReview(podReview(annotatedPod()));
    assert.ok(parsed.ok);
    assert.equal(parsed.request.uid, '705ab4f5-6393-11e8-b7cc-42010a800002');
    assert.deepEqual(parsed.request.context, { operation: 'CREATE', kind: { group: '', version: 'v1', kind: 'Pod' }, namespace: 'shop' });
    assert.equal(parsed.request.name, 'web-5d8f7c9b4-');
    assert.ok(parsed.request.pod);
  });

  it('does not look at the object of other kinds', () => {
    const parsed = parseAdmissionReview(podReview('not an object', { kind: { group: 'apps', version: 'v1', kind: 'Deployment' } }));
    assert.ok(parsed.ok);
    assert.equal(parsed.request.pod, undefined);
  });

  const withRequest = (request: Record<string, unknown>) => podReview(annotatedPod(), request);
  const malformed: [string, unknown, RegExp][] = [
    ['a list', [], /JSON object/],
    ['null', null, /JSON object/],
    ['admission.k8s.io/v1beta1', { ...podReview(annotatedPod()), apiVersion: 'admission.k8s.io/v1beta1' }, /admission\.k8s\.io\/v1/],
    ['another kind', { ...podReview(annotatedPod()), kind: 'TokenReview' }, /AdmissionReview/],
    ['no request', { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, /request must be an object/],
    ['an empty uid', withRequest({ uid: '' }), /uid/],
    ['a uid that is a number', withRequest({ uid: 7 }), /uid/],
    ['no kind', withRequest({ kind: undefined }), /request\.kind/],
    ['no operation', withRequest({ operation: undefined }), /operation/],
    ['a namespace that is a number', withRequest({ namespace: 5 }), /namespace/],
    ['a pod that is not an object', withRequest({ object: 'pod' }), /request\.object must be an object/],
    ['a pod without spec', withRequest({ object: { metadata: {} } }), /object\.spec/],
    ['containers that are not a list', withRequest({ object: { spec: { containers: {} } } }), /object\.spec\.containers must be a list/],
    ['a container without a name', withRequest({ object: { spec: { containers: [{}] } } }), /containers\[0\]\.name/],
    ['a port that is not a number', withRequest({ object: { spec: { containers: [{ name: 'a', ports: [{ containerPort: '80' }] }] } } }), /containerPort/],
    ['a probe port that is an object', withRequest({ object: { spec: { containers: [{ name: 'a', readinessProbe: { httpGet: { port: {} } } }] } } }), /readinessProbe\.httpGet\.port/],
    ['annotations that are not strings', withRequest({ object: { metadata: { annotations: { a: 1 } }, spec: { containers: [] } } }), /annotations/],
    ['a volume without a name', withRequest({ object: { spec: { containers: [], volumes: [{}] } } }), /volumes\[0\]/],
  ];
  for (const [what, body, reason] of malformed) {
    it(`refuses ${what}`, () => {
      const parsed = parseAdmissionReview(body);
      assert.equal(parsed.ok, false);
      assert.match(parsed.ok ? '' : parsed.reason, reason);
    });
  }

  it('accepts null lists as the API server serialises them', () => {
    const parsed = parseAdmissionReview(withRequest({ object: { metadata: { annotations: null }, spec: { containers: null, initContainers: null, volumes: null } } }));
    assert.ok(parsed.ok);
  });
});
