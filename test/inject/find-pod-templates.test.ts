import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { findPodTemplates } from '../../src/inject/find-pod-templates.js';

const template = { metadata: { annotations: { 'hookguard.io/inject': 'true' } }, spec: { containers: [] } };

function workload(apiVersion: string, kind: string, spec: Record<string, unknown>): Record<string, unknown> {
  return { apiVersion, kind, metadata: { name: 'w', namespace: 'shop' }, spec };
}

describe('findPodTemplates', () => {
  const table: { kind: string; object: Record<string, unknown>; path: (string | number)[] }[] = [
    { kind: 'Pod', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'w', namespace: 'shop' }, spec: {} }, path: [] },
    { kind: 'Deployment', object: workload('apps/v1', 'Deployment', { template }), path: ['spec', 'template'] },
    { kind: 'StatefulSet', object: workload('apps/v1', 'StatefulSet', { template }), path: ['spec', 'template'] },
    { kind: 'DaemonSet', object: workload('apps/v1', 'DaemonSet', { template }), path: ['spec', 'template'] },
    { kind: 'ReplicaSet', object: workload('apps/v1', 'ReplicaSet', { template }), path: ['spec', 'template'] },
    { kind: 'ReplicationController', object: workload('v1', 'ReplicationController', { template }), path: ['spec', 'template'] },
    { kind: 'Job', object: workload('batch/v1', 'Job', { template }), path: ['spec', 'template'] },
    { kind: 'CronJob', object: workload('batch/v1', 'CronJob', { jobTemplate: { spec: { template } } }), path: ['spec', 'jobTemplate', 'spec', 'template'] },
  ];
  for (const row of table) {
    it(`finds the pod of a ${row.kind} at ${row.path.join('.') || 'the root'}`, () => {
      const [ref, ...rest] = findPodTemplates(row.object);
      assert.equal(rest.length, 0);
      assert.deepEqual(ref!.path, row.path);
      assert.deepEqual(ref!.templatePath, row.path);
      assert.deepEqual(ref!.owner, { kind: row.kind, name: 'w', namespace: 'shop', path: [] });
    });
  }

  it('finds the templates of a List\'s items at their real paths', () => {
    const list = {
      apiVersion: 'v1',
      kind: 'List',
      items: [{ apiVersion: 'v1', kind: 'Service', spec: {} }, workload('apps/v1', 'Deployment', { template }), workload('batch/v1', 'Job', { template })],
    };
    assert.deepEqual(
      findPodTemplates(list).map((ref) => ref.path),
      [
        ['items', 1, 'spec', 'template'],
        ['items', 2, 'spec', 'template'],
      ],
    );
  });

  it('also reads a typed list such as DeploymentList', () => {
    assert.equal(findPodTemplates({ apiVersion: 'apps/v1', kind: 'DeploymentList', items: [workload('apps/v1', 'Deployment', { template })] }).length, 1);
  });

  it('names the owner by generateName when it has no name', () => {
    const pod = { apiVersion: 'v1', kind: 'Pod', metadata: { generateName: 'web-' }, spec: {} };
    assert.deepEqual(findPodTemplates(pod)[0]!.owner, { kind: 'Pod', name: 'web-', path: [] });
  });

  const none: { name: string; object: unknown }[] = [
    { name: 'a custom resource called Deployment in another group', object: workload('example.com/v1', 'Deployment', { template }) },
    { name: 'a Deployment of the wrong group', object: workload('batch/v1', 'Deployment', { template }) },
    { name: 'a kustomize patch without a pod spec', object: workload('apps/v1', 'Deployment', { template: { metadata: template.metadata } }) },
    { name: 'a workload without a template', object: workload('apps/v1', 'Deployment', { replicas: 3 }) },
    { name: 'a Pod without a spec', object: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'p' } } },
    { name: 'a Service', object: { apiVersion: 'v1', kind: 'Service', spec: { ports: [] } } },
    { name: 'a scalar document', object: 'just text' },
    { name: 'an empty document', object: null },
  ];
  for (const row of none) {
    it(`finds nothing in ${row.name}`, () => {
      assert.deepEqual(findPodTemplates(row.object), []);
    });
  }
});
