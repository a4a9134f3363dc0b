import { buildSidecar } from './build-sidecar.js';
import { ANNOTATION, SIDECAR_PORT_NAME, type SkipReason } from './injector-names.js';
import type { InjectorOptions } from './injector-options.js';
import { formatProblems, type InjectionProblem } from './injection-problem.js';
import { parseAnnotations, type PodAnnotations } from './parse-annotations.js';
import { planPortTakeover, type PortTakeover } from './plan-port-takeover.js';
import type { Pod } from './pod-types.js';
import { renderPatch, type PatchOperation } from './render-patch.js';
import { repairSidecar } from './repair-sidecar.js';
import { resolveOptions, type SidecarOptions } from './resolve-options.js';
import { shouldInject, type ObjectContext } from './should-inject.js';

/**
 * What happened to one pod. `warnings` go back to whoever created the pod (kubectl prints them)
 * and into the log; each is one line.
 */
export type InjectionOutcome =
  | {
      readonly result: 'injected';
      readonly patch: readonly PatchOperation[];
      readonly options: SidecarOptions;
      readonly takeover?: PortTakeover;
      readonly warnings: readonly string[];
    }
  | {
      readonly result: 'skipped';
      readonly reason: SkipReason;
      readonly warnings: readonly string[];
      /** Only for an injected pod that another webhook damaged: the repair (see repair-sidecar). */
      readonly patch?: readonly PatchOperation[];
    }
  | { readonly result: 'denied'; readonly problems: readonly InjectionProblem[]; readonly message: string; readonly warnings: readonly string[] };

export interface InjectPodInput {
  readonly context: ObjectContext;
  readonly pod: Pod;
}

// Warnings are kept short: the API server may cut those over 256 characters.

/**
 * The usual silent miss: the annotations went on the Deployment instead of its pod template. The
 * review does not show the owner, but our other annotations without `inject` give it away.
 */
function missingInjectWarning(annotations: PodAnnotations): string[] {
  if (annotations.inject !== 'absent' || annotations.ours.length === 0) return [];
  return [`hookguard.io annotations without ${ANNOTATION.inject}: "true": not injected; annotate the pod template, not the workload`];
}

function unknownAnnotationWarning(annotations: PodAnnotations): string[] {
  return annotations.unknown.map((key) => `${key} is not a hookguard annotation (a typo?) and was ignored`);
}

function takeoverWarning(options: SidecarOptions, takeover: PortTakeover | undefined): string[] {
  if (takeover !== undefined) return [];
  return [
    `port ${options.upstreamPort} has no name for hookguard to take over: Services must target port ${options.port} ("${SIDECAR_PORT_NAME}") to reach the sidecar`,
  ];
}

const REPAIR_WARNING = 'another webhook removed restartPolicy: Always from the hookguard native sidecar; hookguard restored it';

/** parse annotations → decide → resolve options → build the sidecar → render the patch. Pure. */
export function injectPod(input: InjectPodInput, injector: InjectorOptions): InjectionOutcome {
  const { annotations, problems } = parseAnnotations(input.pod.metadata?.annotations);
  const decision = shouldInject({ context: input.context, pod: input.pod, annotations, ownNamespace: injector.ownNamespace });
  if (!decision.inject) {
    if (decision.reason === 'already_injected') {
      const repair = repairSidecar(input.pod);
      if (repair.length > 0) return { result: 'skipped', reason: decision.reason, warnings: [REPAIR_WARNING], patch: repair };
    }
    const warnings = decision.reason === 'not_requested' ? missingInjectWarning(annotations) : [];
    return { result: 'skipped', reason: decision.reason, warnings };
  }
  const warnings = unknownAnnotationWarning(annotations);
  const resolved = resolveOptions(input.pod, annotations, injector.sidecar);
  // A value that did not parse also shows up as missing when resolving: report it once, as bad.
  const badKeys = new Set(problems.map((p) => p.key));
  const allProblems = [...problems, ...(resolved.ok ? [] : resolved.problems.filter((p) => !badKeys.has(p.key)))];
  if (!resolved.ok || allProblems.length > 0) {
    return { result: 'denied', problems: allProblems, message: formatProblems(allProblems), warnings };
  }
  const { options } = resolved;
  const takeover = planPortTakeover(input.pod, options.upstreamPort);
  const sidecar = buildSidecar(input.pod, options, takeover);
  return {
    result: 'injected',
    patch: renderPatch(input.pod, sidecar, takeover),
    options,
    ...(takeover !== undefined && { takeover }),
    warnings: [...warnings, ...takeoverWarning(options, takeover)],
  };
}
