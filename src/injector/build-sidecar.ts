import {
  ADMIN_PORT,
  ADMIN_PORT_NAME,
  CONFIG_FILE_KEY,
  CONFIG_MOUNT_PATH,
  CONFIG_VOLUME_NAME,
  ENV,
  SECRET_MOUNT_PATH,
  SECRET_VOLUME_NAME,
  SIDECAR_CONTAINER_NAME,
  SIDECAR_PORT_NAME,
  SIDECAR_UID,
} from './injector-names.js';
import type { PortTakeover } from './plan-port-takeover.js';
import type { EnvVar, HttpProbe, Pod, SidecarContainer, SidecarVolume, VolumeMount } from './pod-types.js';
import type { SidecarOptions } from './resolve-options.js';

export interface Sidecar {
  readonly container: SidecarContainer;
  readonly volumes: readonly SidecarVolume[];
}

/** A volume name not yet used in the pod: `hookguard-config`, else `hookguard-config-2`, ... */
function freeVolumeName(base: string, taken: Set<string>): string {
  let name = base;
  for (let n = 2; taken.has(name); n += 1) name = `${base}-${n}`;
  taken.add(name);
  return name;
}

function probe(path: string, periodSeconds: number, failureThreshold: number): HttpProbe {
  return { httpGet: { path, port: ADMIN_PORT_NAME }, periodSeconds, timeoutSeconds: 2, failureThreshold };
}

function buildEnv(options: SidecarOptions): EnvVar[] {
  const env: EnvVar[] = [
    // For log lines and metrics: which replica said it.
    { name: ENV.podName, valueFrom: { fieldRef: { fieldPath: 'metadata.name' } } },
    { name: ENV.podNamespace, valueFrom: { fieldRef: { fieldPath: 'metadata.namespace' } } },
  ];
  if (options.redis !== undefined) {
    env.push({ name: ENV.redisUrl, value: options.redis.url });
    const password = options.redis.password;
    // Only a reference: a literal password would be readable by anyone who can read the pod.
    if (password !== undefined) {
      env.push({ name: ENV.redisPassword, valueFrom: { secretKeyRef: { name: password.secretName, key: password.key } } });
    }
  }
  return env;
}

/** Builds the sidecar container and the volumes it mounts; pure, so `hookguard inject` shows the same. */
export function buildSidecar(pod: Pod, options: SidecarOptions, takeover: PortTakeover | undefined): Sidecar {
  const taken = new Set((pod.spec?.volumes ?? []).map((v) => v.name));
  const configVolume = freeVolumeName(CONFIG_VOLUME_NAME, taken);
  const volumes: SidecarVolume[] = [{ name: configVolume, configMap: { name: options.configMap } }];
  // The whole ConfigMap is mounted, not a subPath: subPath mounts never see later edits of it.
  const mounts: VolumeMount[] = [{ name: configVolume, mountPath: CONFIG_MOUNT_PATH, readOnly: true }];
  if (options.secret !== undefined) {
    const secretVolume = freeVolumeName(SECRET_VOLUME_NAME, taken);
    volumes.push({ name: secretVolume, secret: { secretName: options.secret } });
    mounts.push({ name: secretVolume, mountPath: SECRET_MOUNT_PATH, readOnly: true });
  }

  const container: SidecarContainer = {
    name: SIDECAR_CONTAINER_NAME,
    image: options.image,
    args: [
      'sidecar',
      '--config',
      `${CONFIG_MOUNT_PATH}/${CONFIG_FILE_KEY}`,
      '--listen',
      `0.0.0.0:${options.port}`,
      '--upstream',
      `http://127.0.0.1:${options.upstreamPort}`,
      // Pinned here, whatever the ConfigMap says, because the probes below are pinned to it.
      '--admin',
      `0.0.0.0:${ADMIN_PORT}`,
    ],
    ...(options.native && { restartPolicy: 'Always' as const }),
    ports: [
      { name: takeover?.name ?? SIDECAR_PORT_NAME, containerPort: options.port, protocol: 'TCP' },
      { name: ADMIN_PORT_NAME, containerPort: ADMIN_PORT, protocol: 'TCP' },
    ],
    env: buildEnv(options),
    resources: options.resources,
    volumeMounts: mounts,
    // As a native sidecar, the app starts only once this passes: no delivery arrives before the
    // gateway has its config. Up to a minute, for a slow Redis at pod start.
    startupProbe: probe('/readyz', 1, 60),
    readinessProbe: probe('/readyz', 5, 3),
    livenessProbe: probe('/healthz', 10, 3),
    securityContext: {
      runAsNonRoot: true,
      runAsUser: SIDECAR_UID,
      runAsGroup: SIDECAR_UID,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    },
  };
  return { container, volumes };
}
