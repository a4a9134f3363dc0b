/**
 * Names the injector writes into users' pods or reads from them, in one place: annotations, labels,
 * container, port, volume and env names are all part of CONTRACT.md, and users grep for them.
 */

/** Pod annotations read (and, for `status`, written) by the injector. */
export const ANNOTATION = {
  inject: 'hookguard.io/inject',
  upstreamPort: 'hookguard.io/upstream-port',
  port: 'hookguard.io/port',
  config: 'hookguard.io/config',
  secret: 'hookguard.io/secret',
  nativeSidecar: 'hookguard.io/native-sidecar',
  status: 'hookguard.io/status',
  cpuRequest: 'hookguard.io/cpu-request',
  memoryRequest: 'hookguard.io/memory-request',
  memoryLimit: 'hookguard.io/memory-limit',
} as const;

export const ANNOTATION_PREFIX = 'hookguard.io/';

/** The value of `hookguard.io/status` on a pod the injector has changed. */
export const STATUS_INJECTED = 'injected';

/** Namespace label that opts a namespace in; the webhook's namespaceSelector matches it. */
export const NAMESPACE_OPT_IN_LABEL = 'hookguard.io/injection';
export const NAMESPACE_OPT_IN_VALUE = 'enabled';

export const SIDECAR_CONTAINER_NAME = 'hookguard';

/** Port name of the sidecar's listen port when the app's port has no name to take over. */
export const SIDECAR_PORT_NAME = 'hookguard';
export const ADMIN_PORT_NAME = 'hookguard-admin';
export const ADMIN_PORT = 9102;
/** Prefix of the app's renamed port after the sidecar took its name over: `http` becomes `app-http`. */
export const RENAMED_PORT_PREFIX = 'app-';

export const DEFAULT_SIDECAR_PORT = 8080;

export const CONFIG_VOLUME_NAME = 'hookguard-config';
export const SECRET_VOLUME_NAME = 'hookguard-secrets';
export const CONFIG_MOUNT_PATH = '/etc/hookguard/config';
export const SECRET_MOUNT_PATH = '/etc/hookguard/secrets';
/** The key the sidecar reads in the ConfigMap named by `hookguard.io/config`. */
export const CONFIG_FILE_KEY = 'hookguard.yaml';

export const ENV = {
  podName: 'POD_NAME',
  podNamespace: 'POD_NAMESPACE',
  redisUrl: 'HOOKGUARD_REDIS_URL',
  redisPassword: 'HOOKGUARD_REDIS_PASSWORD',
} as const;

/** The distroless `nonroot` user: a fixed non-zero uid so `runAsNonRoot` is checkable by the kubelet. */
export const SIDECAR_UID = 65532;

/** Why a pod was left alone; logged with every skip. */
export const SKIP_REASONS = [
  'not_requested',
  'already_injected',
  'namespace_not_opted_in',
  'own_namespace',
  'not_pod_create',
] as const;
export type SkipReason = (typeof SKIP_REASONS)[number];

/** The `result` label of hookguard_injections_total. */
export const INJECTION_RESULTS = ['injected', 'skipped', 'denied', 'error'] as const;
export type InjectionResultName = (typeof INJECTION_RESULTS)[number];

/** The only AdmissionReview version spoken; the webhook registers `admissionReviewVersions: ["v1"]`. */
export const ADMISSION_API_VERSION = 'admission.k8s.io/v1';
export const ADMISSION_KIND = 'AdmissionReview';

/** The injector's HTTPS path, registered in the MutatingWebhookConfiguration. */
export const MUTATE_PATH = '/mutate';
