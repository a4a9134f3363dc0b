import { injectPod, type InjectionOutcome } from './inject-pod.js';
import type { InjectorOptions } from './injector-options.js';
import { ADMISSION_API_VERSION, ADMISSION_KIND } from './injector-names.js';
import type { AdmissionRequest } from './parse-admission-review.js';

export interface AdmissionResponse {
  readonly uid: string;
  readonly allowed: boolean;
  readonly patchType?: 'JSONPatch';
  /** base64 of the JSON array of operations, as admission.k8s.io/v1 requires. */
  readonly patch?: string;
  readonly status?: { readonly code: number; readonly reason: string; readonly message: string };
  readonly warnings?: readonly string[];
}

export interface AdmissionReviewResponse {
  readonly apiVersion: typeof ADMISSION_API_VERSION;
  readonly kind: typeof ADMISSION_KIND;
  readonly response: AdmissionResponse;
}

export interface MutateResult {
  readonly review: AdmissionReviewResponse;
  readonly outcome: InjectionOutcome;
}

const NOT_A_POD_CREATE: InjectionOutcome = Object.freeze({ result: 'skipped', reason: 'not_pod_create', warnings: [] });

function respond(uid: string, outcome: InjectionOutcome): AdmissionResponse {
  const warnings = outcome.warnings.length > 0 ? { warnings: outcome.warnings } : {};
  switch (outcome.result) {
    case 'injected':
    case 'skipped':
      if (outcome.patch === undefined) return { uid, allowed: true, ...warnings };
      return {
        uid,
        allowed: true,
        patchType: 'JSONPatch',
        patch: Buffer.from(JSON.stringify(outcome.patch)).toString('base64'),
        ...warnings,
      };
    case 'denied':
      // 400, not 403: the pod is refused for what it says, not for who sent it.
      return { uid, allowed: false, status: { code: 400, reason: 'BadRequest', message: outcome.message }, ...warnings };
  }
}

/** Answers one admission request: the response echoes its uid, as the API server requires. Pure. */
export function mutate(request: AdmissionRequest, options: InjectorOptions): MutateResult {
  const outcome = request.pod === undefined ? NOT_A_POD_CREATE : injectPod({ context: request.context, pod: request.pod }, options);
  return {
    review: { apiVersion: ADMISSION_API_VERSION, kind: ADMISSION_KIND, response: respond(request.uid, outcome) },
    outcome,
  };
}
