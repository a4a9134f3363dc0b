/**
 * The parts of a Kubernetes Pod the injector reads and writes. Structural on purpose: a pod carries
 * many fields the injector never touches, and the patch leaves them alone, so they are typed
 * `unknown` rather than modelled. `null` appears because the API server serialises some empty lists
 * as `null`.
 */

export interface ContainerPort {
  readonly name?: string;
  readonly containerPort: number;
  readonly protocol?: string;
  readonly [field: string]: unknown;
}

export interface PortAction {
  readonly port?: number | string;
  readonly [field: string]: unknown;
}

export interface Probe {
  readonly httpGet?: PortAction | null;
  readonly tcpSocket?: PortAction | null;
  readonly [field: string]: unknown;
}

export interface LifecycleHandler {
  readonly httpGet?: PortAction | null;
  readonly tcpSocket?: PortAction | null;
  readonly [field: string]: unknown;
}

export interface Lifecycle {
  readonly postStart?: LifecycleHandler | null;
  readonly preStop?: LifecycleHandler | null;
  readonly [field: string]: unknown;
}

export interface Container {
  readonly name: string;
  readonly ports?: readonly ContainerPort[] | null;
  readonly livenessProbe?: Probe | null;
  readonly readinessProbe?: Probe | null;
  readonly startupProbe?: Probe | null;
  readonly lifecycle?: Lifecycle | null;
  readonly [field: string]: unknown;
}

export interface Volume {
  readonly name: string;
  readonly [field: string]: unknown;
}

export interface PodMetadata {
  readonly name?: string;
  readonly generateName?: string;
  readonly namespace?: string;
  readonly annotations?: Readonly<Record<string, string>> | null;
  readonly [field: string]: unknown;
}

export interface PodSpec {
  readonly containers?: readonly Container[] | null;
  readonly initContainers?: readonly Container[] | null;
  readonly volumes?: readonly Volume[] | null;
  readonly [field: string]: unknown;
}

export interface Pod {
  readonly metadata?: PodMetadata | null;
  readonly spec?: PodSpec | null;
  readonly [field: string]: unknown;
}

/** What the injector adds: a complete container, so it is modelled field by field. */
export interface EnvVar {
  readonly name: string;
  readonly value?: string;
  readonly valueFrom?: {
    readonly fieldRef?: { readonly fieldPath: string };
    readonly secretKeyRef?: { readonly name: string; readonly key: string };
  };
}

export interface VolumeMount {
  readonly name: string;
  readonly mountPath: string;
  readonly readOnly: boolean;
}

export interface ResourceList {
  readonly cpu?: string;
  readonly memory?: string;
}

export interface Resources {
  readonly requests?: ResourceList;
  readonly limits?: ResourceList;
}

export interface HttpProbe {
  readonly httpGet: { readonly path: string; readonly port: string };
  readonly periodSeconds: number;
  readonly timeoutSeconds: number;
  readonly failureThreshold: number;
}

export interface SidecarContainer {
  readonly name: string;
  readonly image: string;
  readonly args: readonly string[];
  readonly restartPolicy?: 'Always';
  readonly ports: readonly { readonly name: string; readonly containerPort: number; readonly protocol: 'TCP' }[];
  readonly env: readonly EnvVar[];
  readonly resources: Resources;
  readonly volumeMounts: readonly VolumeMount[];
  readonly startupProbe: HttpProbe;
  readonly readinessProbe: HttpProbe;
  readonly livenessProbe: HttpProbe;
  readonly securityContext: {
    readonly runAsNonRoot: true;
    readonly runAsUser: number;
    readonly runAsGroup: number;
    readonly readOnlyRootFilesystem: true;
    readonly allowPrivilegeEscalation: false;
    readonly privileged: false;
    readonly capabilities: { readonly drop: readonly ['ALL'] };
    readonly seccompProfile: { readonly type: 'RuntimeDefault' };
  };
}

export interface SidecarVolume {
  readonly name: string;
  readonly configMap?: { readonly name: string };
  readonly secret?: { readonly secretName: string };
}
