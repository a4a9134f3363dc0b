import type { Sidecar } from './build-sidecar.js';
import { ANNOTATION, STATUS_INJECTED } from './injector-names.js';
import { jsonPointer } from './json-pointer.js';
import type { PortTakeover } from './plan-port-takeover.js';
import type { Pod } from './pod-types.js';

/** The RFC 6902 operations the injector emits; it never removes anything from a pod. */
export interface PatchOperation {
  readonly op: 'add' | 'replace';
  readonly path: string;
  readonly value: unknown;
}

function isAbsent(list: readonly unknown[] | null | undefined): boolean {
  return list === undefined || list === null;
}

/**
 * Appends `values` to the list at `tokens`. An `add` to `.../-` needs the list to exist, so an
 * absent (or `null`) list is created whole instead; `add` replaces a `null` member as RFC 6902 says.
 */
function appendAll(tokens: readonly string[], existing: readonly unknown[] | null | undefined, values: readonly unknown[]): PatchOperation[] {
  if (values.length === 0) return [];
  if (isAbsent(existing)) return [{ op: 'add', path: jsonPointer(tokens), value: values }];
  return values.map((value) => ({ op: 'add', path: jsonPointer([...tokens, '-']), value }));
}

/**
 * Renders the JSONPatch that adds the sidecar. A native sidecar goes after the pod's own init
 * containers: they finish first (a mesh's init and proxy among them, so the gateway's own Redis
 * traffic can use the mesh), and the app still starts only once the sidecar's startupProbe passed.
 * A plain sidecar goes last so the app stays the default container of `kubectl logs` and `exec`.
 */
export function renderPatch(pod: Pod, sidecar: Sidecar, takeover: PortTakeover | undefined): PatchOperation[] {
  const ops: PatchOperation[] = [];
  for (const edit of takeover?.edits ?? []) ops.push({ op: 'replace', path: jsonPointer(edit.path), value: edit.value });

  const spec = pod.spec ?? {};
  if (sidecar.container.restartPolicy === 'Always') {
    ops.push(...appendAll(['spec', 'initContainers'], spec.initContainers, [sidecar.container]));
  } else {
    ops.push(...appendAll(['spec', 'containers'], spec.containers, [sidecar.container]));
  }
  ops.push(...appendAll(['spec', 'volumes'], spec.volumes, sidecar.volumes));

  const status = { [ANNOTATION.status]: STATUS_INJECTED };
  if (pod.metadata === undefined || pod.metadata === null) {
    ops.push({ op: 'add', path: jsonPointer(['metadata']), value: { annotations: status } });
  } else if (pod.metadata.annotations === undefined || pod.metadata.annotations === null) {
    ops.push({ op: 'add', path: jsonPointer(['metadata', 'annotations']), value: status });
  } else {
    ops.push({ op: 'add', path: jsonPointer(['metadata', 'annotations', ANNOTATION.status]), value: STATUS_INJECTED });
  }
  return ops;
}
