import { isObject } from '../config/shape.js';
import { checkPodShape } from '../injector/check-pod-shape.js';
import { injectPod } from '../injector/inject-pod.js';
import { ANNOTATION } from '../injector/injector-names.js';
import type { InjectorOptions } from '../injector/injector-options.js';
import type { PatchOperation } from '../injector/render-patch.js';
import type { ObjectContext } from '../injector/should-inject.js';
import { checkAnnotationValues } from './check-annotation-values.js';

/** One reason a template cannot be injected: `key` is the annotation at fault, when there is one. */
export interface TemplateProblem {
  readonly key?: string;
  readonly message: string;
}

export type TemplateInjection =
  | {
      readonly ok: true;
      /** True when the sidecar was added; false when the template is left alone (or only repaired). */
      readonly injected: boolean;
      /** Relative to the template; empty when the webhook would not change the pod. */
      readonly patch: readonly PatchOperation[];
      readonly warnings: readonly string[];
    }
  | { readonly ok: false; readonly problems: readonly TemplateProblem[] };

const LEFT_ALONE: TemplateInjection = Object.freeze({ ok: true, injected: false, patch: [], warnings: [] });

/** Every pod is made by a CREATE of a core/v1 Pod: the request the API server sends the webhook. */
const POD_KIND = Object.freeze({ group: '', version: 'v1', kind: 'Pod' });

/** `hookguard.io/inject` set to anything but "false", an unquoted `true` included. */
function asksForInjection(template: Readonly<Record<string, unknown>>): boolean {
  const annotations = isObject(template.metadata) ? template.metadata.annotations : undefined;
  const value = isObject(annotations) ? annotations[ANNOTATION.inject] : undefined;
  return value !== undefined && value !== 'false';
}

function ownNamespaceWarning(namespace: string | undefined): string {
  return `not injected: namespace ${namespace ?? ''} is the injector's own (the config's namespace), which the webhook never injects`;
}

/**
 * Runs one pod template through the webhook's own steps: the shape check the webhook applies to
 * `request.object`, then injectPod, the function behind every admission answer. The template is
 * handed over as the pod, because the pod a controller creates carries the template's metadata and
 * spec, and the patch's paths (`/spec/...`, `/metadata/...`) address both alike.
 */
export function injectPodTemplate(
  template: Readonly<Record<string, unknown>>,
  namespace: string | undefined,
  options: InjectorOptions,
): TemplateInjection {
  const annotationProblems = checkAnnotationValues(template);
  const shape = annotationProblems.length === 0 ? checkPodShape(template) : undefined;
  if (shape === undefined || !shape.ok) {
    // A template that does not ask for the sidecar is not ours to judge: it passes through, and
    // kubectl or the API server says what is wrong with it.
    if (!asksForInjection(template)) return LEFT_ALONE;
    // The webhook names the field from `request.object`; here it is relative to the template.
    return { ok: false, problems: shape === undefined ? annotationProblems : [{ message: shape.reason.replace(/^object\.?/, '') }] };
  }

  const context: ObjectContext = { operation: 'CREATE', kind: POD_KIND, ...(namespace !== undefined && { namespace }) };
  const outcome = injectPod({ context, pod: shape.pod }, options);
  switch (outcome.result) {
    case 'denied':
      return { ok: false, problems: outcome.problems };
    case 'injected':
      return { ok: true, injected: true, patch: outcome.patch, warnings: outcome.warnings };
    case 'skipped': {
      const warnings = outcome.reason === 'own_namespace' && asksForInjection(template) ? [ownNamespaceWarning(namespace)] : outcome.warnings;
      return { ok: true, injected: false, patch: outcome.patch ?? [], warnings };
    }
  }
}
