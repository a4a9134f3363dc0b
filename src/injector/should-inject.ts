import { NAMESPACE_OPT_IN_LABEL, NAMESPACE_OPT_IN_VALUE, SIDECAR_CONTAINER_NAME, type SkipReason } from './injector-names.js';
import { isPodCreate } from './is-pod-create.js';
import type { PodAnnotations } from './parse-annotations.js';
import type { Pod } from './pod-types.js';

/** What the admission request says about the object, independent of its AdmissionReview envelope. */
export interface ObjectContext {
  readonly operation: string;
  readonly kind: { readonly group: string; readonly version: string; readonly kind: string };
  readonly subResource?: string;
  readonly namespace?: string;
  /**
   * The namespace's labels when the caller has them. An AdmissionReview does not carry them: the
   * webhook's namespaceSelector has already matched the opt-in label before the API server called
   * us, so the webhook passes undefined and the check is skipped.
   */
  readonly namespaceLabels?: Readonly<Record<string, string>>;
}

export type Decision = { readonly inject: true } | { readonly inject: false; readonly reason: SkipReason };

export interface ShouldInjectInput {
  readonly context: ObjectContext;
  readonly pod: Pod;
  readonly annotations: PodAnnotations;
  /** The injector's own namespace: never injected, so a broken injector cannot block its own restart. */
  readonly ownNamespace?: string;
}

const INJECT: Decision = Object.freeze({ inject: true });

function skip(reason: SkipReason): Decision {
  return { inject: false, reason };
}

/**
 * A pod is already injected when it carries the status annotation or a container of ours. Both are
 * checked because a later webhook may copy the pod without the annotation, and the API server
 * calls us again (reinvocationPolicy: IfNeeded) after other webhooks changed the pod.
 */
function isInjected(pod: Pod, annotations: PodAnnotations): boolean {
  if (annotations.status !== undefined) return true;
  const spec = pod.spec;
  const all = [...(spec?.containers ?? []), ...(spec?.initContainers ?? [])];
  return all.some((container) => container.name === SIDECAR_CONTAINER_NAME);
}

export function shouldInject(input: ShouldInjectInput): Decision {
  const { context, annotations } = input;
  if (!isPodCreate(context)) return skip('not_pod_create');
  if (input.ownNamespace !== undefined && context.namespace === input.ownNamespace) return skip('own_namespace');
  if (context.namespaceLabels !== undefined && context.namespaceLabels[NAMESPACE_OPT_IN_LABEL] !== NAMESPACE_OPT_IN_VALUE) {
    return skip('namespace_not_opted_in');
  }
  if (isInjected(input.pod, annotations)) return skip('already_injected');
  if (annotations.inject !== 'requested') return skip('not_requested');
  return INJECT;
}
