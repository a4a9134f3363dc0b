import { ANNOTATION, ANNOTATION_PREFIX } from './injector-names.js';
import { invalidValue, type InjectionProblem } from './injection-problem.js';
import { parseQuantity, QUANTITY_EXAMPLES, type QuantityKind } from './parse-quantity.js';

/**
 * `requested` also covers a malformed `hookguard.io/inject` ("yes", "True"): whoever wrote it meant
 * this injector, so the pod is denied with the accepted values rather than silently left unprotected.
 */
export type InjectRequest = 'requested' | 'opted_out' | 'absent';

export interface PodAnnotations {
  readonly inject: InjectRequest;
  readonly upstreamPort?: number;
  readonly port?: number;
  readonly config?: string;
  readonly secret?: string;
  readonly nativeSidecar?: boolean;
  readonly status?: string;
  readonly cpuRequest?: string;
  readonly memoryRequest?: string;
  readonly memoryLimit?: string;
  /** Every `hookguard.io/*` key present other than `inject`: a sign of intent even without it. */
  readonly ours: readonly string[];
  /** `hookguard.io/*` keys this injector does not know; usually typos. */
  readonly unknown: readonly string[];
}

export interface ParsedAnnotations {
  readonly annotations: PodAnnotations;
  /** Values that cannot be used; they deny the pod only if it is to be injected. */
  readonly problems: readonly InjectionProblem[];
}

const PORT_ACCEPTED = 'a port number from 1 to 65535';
const BOOLEAN_ACCEPTED = '"true", "false"';
const NAME_ACCEPTED = 'the name of a ConfigMap or Secret in the pod\'s namespace (lower-case letters, digits, "-" and ".", at most 253 characters)';

// RFC 1123 subdomain: what the API server accepts as a ConfigMap or Secret name.
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

const KNOWN: ReadonlySet<string> = new Set(Object.values(ANNOTATION));

/** Reads the pod's `hookguard.io/*` annotations into typed values, collecting every bad value. */
export function parseAnnotations(raw: Readonly<Record<string, string>> | null | undefined): ParsedAnnotations {
  const source = raw ?? {};
  const problems: InjectionProblem[] = [];
  const get = (key: string): string | undefined => (Object.hasOwn(source, key) ? source[key] : undefined);

  const port = (key: string): number | undefined => {
    const value = get(key);
    if (value === undefined) return undefined;
    const number = /^\d{1,5}$/.test(value) ? Number(value) : 0;
    if (number >= 1 && number <= 65535) return number;
    problems.push(invalidValue(key, value, PORT_ACCEPTED));
    return undefined;
  };
  const flag = (key: string): boolean | undefined => {
    const value = get(key);
    if (value === undefined) return undefined;
    if (value === 'true' || value === 'false') return value === 'true';
    problems.push(invalidValue(key, value, BOOLEAN_ACCEPTED));
    return undefined;
  };
  const objectName = (key: string): string | undefined => {
    const value = get(key);
    if (value === undefined) return undefined;
    if (value.length <= 253 && DNS_SUBDOMAIN.test(value)) return value;
    problems.push(invalidValue(key, value, NAME_ACCEPTED));
    return undefined;
  };
  const quantity = (key: string, kind: QuantityKind): string | undefined => {
    const value = get(key);
    if (value === undefined) return undefined;
    if (parseQuantity(value, kind) !== undefined) return value;
    problems.push(invalidValue(key, value, QUANTITY_EXAMPLES[kind]));
    return undefined;
  };

  const injectValue = get(ANNOTATION.inject);
  let inject: InjectRequest = 'absent';
  if (injectValue === 'false') inject = 'opted_out';
  else if (injectValue !== undefined) {
    inject = 'requested';
    if (injectValue !== 'true') problems.push(invalidValue(ANNOTATION.inject, injectValue, BOOLEAN_ACCEPTED));
  }

  const ours = Object.keys(source).filter((key) => key.startsWith(ANNOTATION_PREFIX) && key !== ANNOTATION.inject);
  const annotations: PodAnnotations = {
    inject,
    upstreamPort: port(ANNOTATION.upstreamPort),
    port: port(ANNOTATION.port),
    config: objectName(ANNOTATION.config),
    secret: objectName(ANNOTATION.secret),
    nativeSidecar: flag(ANNOTATION.nativeSidecar),
    status: get(ANNOTATION.status),
    cpuRequest: quantity(ANNOTATION.cpuRequest, 'cpu'),
    memoryRequest: quantity(ANNOTATION.memoryRequest, 'memory'),
    memoryLimit: quantity(ANNOTATION.memoryLimit, 'memory'),
    ours,
    unknown: ours.filter((key) => !KNOWN.has(key)),
  };
  return { annotations, problems };
}
