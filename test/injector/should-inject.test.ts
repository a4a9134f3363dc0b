import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAnnotations } from '../../src/injector/parse-annotations.js';
import type { Pod } from '../../src/injector/pod-types.js';
import { shouldInject, type ObjectContext } from '../../src/injector/should-inject.js';
import { annotatedPod, POD_KIND } from './fixtures.js';

const CREATE: ObjectContext = { operation: 'CREATE', kind: POD_KIND, namespace: 'shop' };

function decide(pod: Pod, context: Partial<ObjectContext> = {}, ownNamespace: string | null = 'hookguard') {
  const { annotations } = parseAnnotations(pod.metadata?.annotations);
  return shouldInject({ context: { ...CREATE, ...context }, pod, annotations, ...(ownNamespace !== null && { ownNamespace }) });
}

describe('shouldInject', () => {
  it('injects an annotated pod being created', () => {
    assert.deepEqual(decide(annotatedPod() as Pod), { inject: true });
  });

  const skips: [string, Pod, Partial<ObjectContext>, string][] = [
    ['a pod without the inject annotation', { metadata: {}, spec: { containers: [] } }, {}, 'not_requested'],
    ['a pod that opted out', annotatedPod({ 'hookguard.io/inject': 'false' }) as Pod, {}, 'not_requested'],
    ['a pod with the status annotation', annotatedPod({ 'hookguard.io/status': 'injected' }) as Pod, {}, 'already_injected'],
    ['a pod with a container named hookguard', annotatedPod({}, { name: 'hookguard' }) as Pod, {}, 'already_injected'],
    [
      'a pod with an init container named hookguard (a later webhook stripped the annotation)',
      { ...annotatedPod(), spec: { containers: [{ name: 'web' }], initContainers: [{ name: 'hookguard' }] } } as Pod,
      {},
      'already_injected',
    ],
    ['an UPDATE', annotatedPod() as Pod, { operation: 'UPDATE' }, 'not_pod_create'],
    ['a Deployment', annotatedPod() as Pod, { kind: { group: 'apps', version: 'v1', kind: 'Deployment' } }, 'not_pod_create'],
    ['a pods/binding subresource', annotatedPod() as Pod, { subResource: 'binding' }, 'not_pod_create'],
    ["a pod in the injector's own namespace", annotatedPod() as Pod, { namespace: 'hookguard' }, 'own_namespace'],
    ['a namespace whose labels are known and lack the opt-in', annotatedPod() as Pod, { namespaceLabels: { team: 'shop' } }, 'namespace_not_opted_in'],
  ];
  for (const [what, pod, context, reason] of skips) {
    it(`skips ${what} with reason ${reason}`, () => {
      assert.deepEqual(decide(pod, context), { inject: false, reason });
    });
  }

  it('injects in a namespace whose known labels opt in', () => {
    assert.deepEqual(decide(annotatedPod() as Pod, { namespaceLabels: { 'hookguard.io/injection': 'enabled' } }), { inject: true });
  });

  it('injects in any namespace when its own is unknown', () => {
    assert.deepEqual(decide(annotatedPod() as Pod, { namespace: 'hookguard' }, null), { inject: true });
  });
});
