import type { KubeObject } from './kube-client.js';

/** Annotation and label names of CONTRACT.md. */
export const INJECT = 'hookguard.io/inject';
export const CONFIG = 'hookguard.io/config';
export const SECRET = 'hookguard.io/secret';
export const PORT = 'hookguard.io/port';
export const NATIVE_SIDECAR = 'hookguard.io/native-sidecar';
export const STATUS = 'hookguard.io/status';
export const INJECTION_LABEL = 'hookguard.io/injection';

export interface Container {
  name: string;
  image?: string;
  restartPolicy?: string;
  args?: string[];
  ports?: { name?: string; containerPort: number; protocol?: string }[];
  volumeMounts?: { name: string; mountPath: string; readOnly?: boolean }[];
  securityContext?: {
    runAsNonRoot?: boolean;
    runAsUser?: number;
    readOnlyRootFilesystem?: boolean;
    allowPrivilegeEscalation?: boolean;
    privileged?: boolean;
    capabilities?: { drop?: string[]; add?: string[] };
    seccompProfile?: { type?: string };
  };
  readinessProbe?: { httpGet?: { path?: string; port?: number | string } };
  startupProbe?: { httpGet?: { path?: string; port?: number | string } };
  terminationMessagePath?: string;
  imagePullPolicy?: string;
  [key: string]: unknown;
}

export interface Pod extends KubeObject {
  spec: {
    containers: Container[];
    initContainers?: Container[];
    volumes?: { name: string; configMap?: { name?: string }; secret?: { secretName?: string }; [key: string]: unknown }[];
    [key: string]: unknown;
  };
}

/**
 * An app pod as a user writes it: one container whose named port `http` (3000) a Service targets,
 * and a readiness probe on that name. `annotations` are the pod's own.
 */
export function appPod(name: string, annotations: Record<string, string> = {}): Pod {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, labels: { app: name }, annotations },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'registry.example/shop/web:1.0.0',
          ports: [{ name: 'http', containerPort: 3000 }],
          readinessProbe: { httpGet: { path: '/health', port: 'http' } },
        },
      ],
    },
  };
}

/** The annotations of a pod that asks for the sidecar, with its hooks config and secrets. */
export function injectAnnotations(extra: Record<string, string> = {}): Record<string, string> {
  return { [INJECT]: 'true', [CONFIG]: 'web-hooks', [SECRET]: 'web-secrets', ...extra };
}

export function namespace(name: string, labels: Record<string, string> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels } };
}

export function podsPath(namespaceName: string): string {
  return `/api/v1/namespaces/${namespaceName}/pods`;
}

/** Every container of a pod, init containers included. */
export function allContainers(pod: Pod): Container[] {
  return [...(pod.spec.initContainers ?? []), ...pod.spec.containers];
}

export function isUntouched(pod: Pod): boolean {
  return allContainers(pod).every((c) => c.name !== 'hookguard') && pod.metadata?.annotations?.[STATUS] === undefined;
}
