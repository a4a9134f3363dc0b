import { parseAllDocuments } from 'yaml';
import { DaemonSet, Deployment, ReplicaSet, StatefulSet } from 'kubernetes-models/apps/v1';
import { CronJob, Job } from 'kubernetes-models/batch/v1';
import { ReplicationController } from 'kubernetes-models/v1';
import { findPodTemplates } from '../../src/inject/find-pod-templates.js';
import { MANIFEST_PARSE_OPTIONS } from '../../src/inject/manifest-yaml-options.js';
import { assertValidPod } from '../injector/validate-pod.js';

type Obj = Record<string, any>;

const WORKLOADS: Record<string, new (data: any) => { validate(): void }> = {
  Deployment,
  StatefulSet,
  DaemonSet,
  ReplicaSet,
  Job,
  CronJob,
  ReplicationController,
};

function at(root: unknown, path: readonly (string | number)[]): Obj {
  return path.reduce((value: any, token) => value[token], root) as Obj;
}

function isInjected(template: Obj): boolean {
  return template.metadata?.annotations?.['hookguard.io/status'] !== undefined;
}

/**
 * Checks every object that holds an injected pod template against the Kubernetes schema (kubernetes-models)
 * and the template itself, as the pod it becomes, against the Pod schema and the API server's rules
 * the injection could break. Objects the injection left alone are not its business: they are not
 * checked. Returns how many templates were checked.
 */
export function assertValidManifests(yaml: string): number {
  let checked = 0;
  for (const document of parseAllDocuments(yaml, MANIFEST_PARSE_OPTIONS)) {
    const value = document.toJS();
    for (const ref of findPodTemplates(value)) {
      if (!isInjected(ref.template as Obj)) continue;
      const owner = at(value, ref.owner.path);
      if (ref.owner.kind === 'Pod') {
        assertValidPod(owner);
      } else {
        new WORKLOADS[ref.owner.kind]!(owner).validate();
        const template = ref.template as Obj;
        const spec = structuredClone(template.spec) as Obj;
        // A StatefulSet's claim templates become volumes of its pods.
        for (const claim of owner.spec?.volumeClaimTemplates ?? []) (spec.volumes ??= []).push({ name: claim.metadata.name, emptyDir: {} });
        assertValidPod({ apiVersion: 'v1', kind: 'Pod', metadata: template.metadata ?? {}, spec });
      }
      checked += 1;
    }
  }
  return checked;
}
