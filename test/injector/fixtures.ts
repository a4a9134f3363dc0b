import type { InjectorOptions } from '../../src/injector/injector-options.js';
import { DEFAULT_INJECTOR_OPTIONS } from '../../src/injector/injector-options.js';
import type { PatchOperation } from '../../src/injector/render-patch.js';
import type { AdmissionReviewResponse } from '../../src/injector/review-response.js';

/** The injector settings every pure test runs with, unless a case says otherwise. */
export const TEST_OPTIONS: InjectorOptions = {
  sidecar: {
    ...DEFAULT_INJECTOR_OPTIONS.sidecar,
    image: 'ghcr.io/example/hookguard:1.2.3',
    redis: { url: 'redis://hookguard-redis.hookguard:6379', passwordSecretName: 'hookguard-redis', passwordSecretKey: 'redis-password' },
  },
  ownNamespace: 'hookguard',
};

export const POD_KIND = { group: '', version: 'v1', kind: 'Pod' } as const;

/** An AdmissionReview as the API server sends it for a pod CREATE in namespace `shop`. */
export function podReview(pod: unknown, request: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: '705ab4f5-6393-11e8-b7cc-42010a800002',
      kind: POD_KIND,
      resource: { group: '', version: 'v1', resource: 'pods' },
      requestKind: POD_KIND,
      requestResource: { group: '', version: 'v1', resource: 'pods' },
      namespace: 'shop',
      operation: 'CREATE',
      userInfo: { username: 'system:serviceaccount:kube-system:replicaset-controller' },
      object: pod,
      oldObject: null,
      dryRun: false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: 'CreateOptions' },
      ...request,
    },
  };
}

/** A minimal annotated pod: one container `web` with a named port 3000. */
export function annotatedPod(annotations: Record<string, string> = {}, container: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: {
      generateName: 'web-5d8f7c9b4-',
      namespace: 'shop',
      annotations: { 'hookguard.io/inject': 'true', 'hookguard.io/config': 'web-hooks', ...annotations },
    },
    spec: {
      containers: [{ name: 'web', image: 'example/web:1', ports: [{ name: 'http', containerPort: 3000, protocol: 'TCP' }], ...container }],
    },
  };
}

export function decodePatch(review: AdmissionReviewResponse): PatchOperation[] {
  const patch = review.response.patch;
  if (patch === undefined) throw new Error('the response carries no patch');
  return JSON.parse(Buffer.from(patch, 'base64').toString('utf8')) as PatchOperation[];
}
