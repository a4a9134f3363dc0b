import { isObject } from '../config/shape.js';
import { checkPodShape } from './check-pod-shape.js';
import { ADMISSION_API_VERSION, ADMISSION_KIND } from './injector-names.js';
import { isPodCreate } from './is-pod-create.js';
import type { Pod } from './pod-types.js';
import type { ObjectContext } from './should-inject.js';

/** The request half of an AdmissionReview, reduced to what the injector uses. */
export interface AdmissionRequest {
  readonly uid: string;
  readonly context: ObjectContext;
  /** Present for a Pod CREATE: the pod as the API server would store it before this webhook. */
  readonly pod?: Pod;
  /** For logs: the pod's name, or its generateName prefix when the name is not chosen yet. */
  readonly name?: string;
}

export type ParsedReview = { readonly ok: true; readonly request: AdmissionRequest } | { readonly ok: false; readonly reason: string };


function optionalString(value: unknown): value is string | undefined | null {
  return value === undefined || value === null || typeof value === 'string';
}

/**
 * Validates an AdmissionReview the API server sent. A `false` here is a 400: the API server never
 * sends such a thing, so it is a client that is not the API server, or a version we do not speak.
 */
export function parseAdmissionReview(body: unknown): ParsedReview {
  const fail = (reason: string): ParsedReview => ({ ok: false, reason });
  if (!isObject(body)) return fail('the body must be a JSON object');
  if (body.apiVersion !== ADMISSION_API_VERSION || body.kind !== ADMISSION_KIND) {
    return fail(`expected apiVersion ${ADMISSION_API_VERSION} and kind ${ADMISSION_KIND}`);
  }
  const request = body.request;
  if (!isObject(request)) return fail('request must be an object');
  if (typeof request.uid !== 'string' || request.uid === '') return fail('request.uid must be a non-empty string');
  const kind = request.kind;
  if (!isObject(kind) || typeof kind.group !== 'string' || typeof kind.version !== 'string' || typeof kind.kind !== 'string') {
    return fail('request.kind must have string group, version and kind');
  }
  if (typeof request.operation !== 'string') return fail('request.operation must be a string');
  if (!optionalString(request.subResource) || !optionalString(request.namespace) || !optionalString(request.name)) {
    return fail('request.subResource, .namespace and .name must be strings');
  }
  const context: ObjectContext = {
    operation: request.operation,
    kind: { group: kind.group, version: kind.version, kind: kind.kind },
    ...(typeof request.subResource === 'string' && { subResource: request.subResource }),
    ...(typeof request.namespace === 'string' && { namespace: request.namespace }),
  };
  if (!isPodCreate(context)) return { ok: true, request: { uid: request.uid, context } };

  const shape = checkPodShape(request.object);
  if (!shape.ok) return fail(`request.${shape.reason}`);
  const metadata = shape.pod.metadata;
  const name = metadata?.name || metadata?.generateName || undefined;
  return { ok: true, request: { uid: request.uid, context, pod: shape.pod, ...(name !== undefined && { name }) } };
}
