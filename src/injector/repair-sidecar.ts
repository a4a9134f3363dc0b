import { SIDECAR_CONTAINER_NAME } from './injector-names.js';
import { jsonPointer } from './json-pointer.js';
import type { Pod } from './pod-types.js';
import type { PatchOperation } from './render-patch.js';

/**
 * A webhook that decodes pods with an older Kubernetes client drops fields it does not know, among
 * them an init container's `restartPolicy`. Our native sidecar would then be an init container that
 * never exits, and the pod would never start. When the API server calls us again
 * (reinvocationPolicy: IfNeeded), put the field back.
 */
export function repairSidecar(pod: Pod): PatchOperation[] {
  const ops: PatchOperation[] = [];
  for (const [index, container] of (pod.spec?.initContainers ?? []).entries()) {
    if (container.name === SIDECAR_CONTAINER_NAME && container.restartPolicy !== 'Always') {
      ops.push({ op: 'add', path: jsonPointer(['spec', 'initContainers', index, 'restartPolicy']), value: 'Always' });
    }
  }
  return ops;
}
