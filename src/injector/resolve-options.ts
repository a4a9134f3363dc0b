import { ADMIN_PORT, ANNOTATION, CONFIG_FILE_KEY, DEFAULT_SIDECAR_PORT } from './injector-names.js';
import type { SidecarDefaults } from './injector-options.js';
import type { InjectionProblem } from './injection-problem.js';
import type { PodAnnotations } from './parse-annotations.js';
import { parseQuantity, type QuantityKind } from './parse-quantity.js';
import type { Pod, ResourceList, Resources } from './pod-types.js';

/** Everything the sidecar is built from, with each annotation applied over the injector's defaults. */
export interface SidecarOptions {
  readonly image: string;
  readonly native: boolean;
  readonly port: number;
  readonly upstreamPort: number;
  readonly configMap: string;
  readonly secret?: string;
  readonly resources: Resources;
  readonly redis?: {
    readonly url: string;
    readonly password?: { readonly secretName: string; readonly key: string };
  };
}

export type ResolveResult =
  | { readonly ok: true; readonly options: SidecarOptions }
  | { readonly ok: false; readonly problems: readonly InjectionProblem[] };

interface DeclaredPort {
  readonly port: number;
  readonly path: string;
  readonly container: string;
}

function declaredPorts(pod: Pod): DeclaredPort[] {
  const out: DeclaredPort[] = [];
  for (const list of ['containers', 'initContainers'] as const) {
    for (const [i, container] of (pod.spec?.[list] ?? []).entries()) {
      for (const [j, port] of (container.ports ?? []).entries()) {
        out.push({ port: port.containerPort, path: `spec.${list}[${i}].ports[${j}]`, container: container.name });
      }
    }
  }
  return out;
}

function resolvePorts(pod: Pod, annotations: PodAnnotations, problems: InjectionProblem[]): { port: number; upstreamPort: number } | undefined {
  const first = pod.spec?.containers?.[0]?.ports?.[0]?.containerPort;
  const upstreamPort = annotations.upstreamPort ?? first;
  if (upstreamPort === undefined) {
    problems.push({
      key: ANNOTATION.upstreamPort,
      message: "is required because the pod's first container declares no containerPort; accepted values: the app's port number, 1 to 65535",
    });
    return undefined;
  }
  const port = annotations.port ?? DEFAULT_SIDECAR_PORT;
  const portSource = annotations.port === undefined ? `${port} (the default)` : `${port}`;
  const before = problems.length;
  // The sidecar shares the pod's network namespace: two listeners on one port cannot both bind.
  if (port === upstreamPort) {
    problems.push({ key: ANNOTATION.port, message: `${portSource} is also the app's port; accepted values: a free port number other than ${upstreamPort} and ${ADMIN_PORT}` });
  } else if (port === ADMIN_PORT) {
    problems.push({ key: ANNOTATION.port, message: `${port} is the sidecar's admin port; accepted values: a free port number other than ${upstreamPort} and ${ADMIN_PORT}` });
  }
  if (upstreamPort === ADMIN_PORT) {
    problems.push({ key: ANNOTATION.upstreamPort, message: `${ADMIN_PORT} is the sidecar's admin port; move the app to another port` });
  }
  for (const declared of declaredPorts(pod)) {
    if (declared.port === ADMIN_PORT && declared.port !== upstreamPort) {
      problems.push({ key: declared.path, message: `container "${declared.container}" declares port ${ADMIN_PORT}, which the hookguard sidecar's admin port needs` });
    } else if (declared.port === port && declared.port !== upstreamPort) {
      problems.push({
        key: ANNOTATION.port,
        message: `${portSource} is already declared by ${declared.path} (container "${declared.container}"); accepted values: a free port number`,
      });
    }
  }
  return problems.length === before ? { port, upstreamPort } : undefined;
}

function resolveResources(annotations: PodAnnotations, defaults: SidecarDefaults, problems: InjectionProblem[]): Resources {
  const max = defaults.maxResources;
  const requests: ResourceList = {
    ...defaults.resources.requests,
    ...(annotations.cpuRequest !== undefined && { cpu: annotations.cpuRequest }),
    ...(annotations.memoryRequest !== undefined && { memory: annotations.memoryRequest }),
  };
  const limits: ResourceList = {
    ...defaults.resources.limits,
    ...(annotations.memoryLimit !== undefined && { memory: annotations.memoryLimit }),
  };
  const bounded: [string, string | undefined, QuantityKind][] = [
    [ANNOTATION.cpuRequest, annotations.cpuRequest, 'cpu'],
    [ANNOTATION.memoryRequest, annotations.memoryRequest, 'memory'],
    [ANNOTATION.memoryLimit, annotations.memoryLimit, 'memory'],
  ];
  for (const [key, value, kind] of bounded) {
    if (value === undefined) continue;
    if (parseQuantity(value, kind)! > parseQuantity(max[kind], kind)!) {
      problems.push({ key, message: `${value} is above the injector's maximum; accepted values: a quantity up to ${max[kind]}` });
    }
  }
  // The API server rejects a request above its limit; say which annotation caused it instead.
  for (const kind of ['cpu', 'memory'] as const) {
    const request = requests[kind];
    const limit = limits[kind];
    if (request === undefined || limit === undefined) continue;
    if (parseQuantity(request, kind)! <= parseQuantity(limit, kind)!) continue;
    const key = kind === 'memory' && annotations.memoryLimit !== undefined ? ANNOTATION.memoryLimit : kind === 'memory' ? ANNOTATION.memoryRequest : ANNOTATION.cpuRequest;
    problems.push({ key, message: `the ${kind} request ${request} is above the ${kind} limit ${limit}; accepted values: a request at most the limit` });
  }
  return {
    ...(Object.keys(requests).length > 0 && { requests }),
    ...(Object.keys(limits).length > 0 && { limits }),
  };
}

function resolveRedis(annotations: PodAnnotations, defaults: SidecarDefaults, problems: InjectionProblem[]): SidecarOptions['redis'] {
  const redis = defaults.redis;
  if (redis === undefined) return undefined;
  if (redis.passwordSecretKey === undefined) return { url: redis.url };
  const secretName = redis.passwordSecretName ?? annotations.secret;
  if (secretName === undefined) {
    problems.push({
      key: ANNOTATION.secret,
      message: `is required: the injector is configured to take the Redis password from key "${redis.passwordSecretKey}" of the pod's hookguard Secret; accepted values: the name of that Secret`,
    });
    return undefined;
  }
  return { url: redis.url, password: { secretName, key: redis.passwordSecretKey } };
}

/** Applies the pod's annotations over the injector's defaults, reporting every value it cannot use. */
export function resolveOptions(pod: Pod, annotations: PodAnnotations, defaults: SidecarDefaults): ResolveResult {
  const problems: InjectionProblem[] = [];
  if (annotations.config === undefined) {
    problems.push({
      key: ANNOTATION.config,
      message: `is required when injecting; accepted values: the name of a ConfigMap in the pod's namespace with the key ${CONFIG_FILE_KEY}`,
    });
  }
  const ports = resolvePorts(pod, annotations, problems);
  const resources = resolveResources(annotations, defaults, problems);
  const redis = resolveRedis(annotations, defaults, problems);
  if (problems.length > 0 || ports === undefined || annotations.config === undefined) return { ok: false, problems };
  return {
    ok: true,
    options: {
      image: defaults.image,
      native: annotations.nativeSidecar ?? defaults.nativeSidecar,
      port: ports.port,
      upstreamPort: ports.upstreamPort,
      configMap: annotations.config,
      ...(annotations.secret !== undefined && { secret: annotations.secret }),
      resources,
      ...(redis !== undefined && { redis }),
    },
  };
}
