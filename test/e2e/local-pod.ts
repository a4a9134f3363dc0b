import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO } from './find-binaries.js';
import type { KubeClient } from './kube-client.js';

/**
 * A stand-in for the kubelet, just enough to run the chart's own containers (the injector
 * Deployment's and the certgen Jobs') as local processes: ConfigMap and Secret volumes are read from
 * the API server and written to a folder, their mount paths are rewritten to that folder in the
 * container's arguments and in the mounted files, and `env` is resolved. The image's entrypoint
 * (`node /app/dist/cli.js`) runs the CLI from source.
 */

export interface PodContainer {
  name: string;
  command?: string[];
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { fieldRef?: { fieldPath: string } } }[];
  volumeMounts?: { name: string; mountPath: string }[];
}

export interface PodSpecLike {
  serviceAccountName?: string;
  containers: PodContainer[];
  volumes?: { name: string; configMap?: { name: string }; secret?: { secretName: string } }[];
}

export interface LocalContainer {
  readonly command: string;
  readonly args: string[];
  readonly env: Record<string, string>;
  /** Rewrites the container's paths (`/etc/hookguard/tls/tls.crt`) to the local folders. */
  readonly rewrite: (text: string) => string;
}

const IMAGE_ENTRYPOINT = ['node', '/app/dist/cli.js'];

async function readData(client: KubeClient, namespace: string, volume: NonNullable<PodSpecLike['volumes']>[number]): Promise<Record<string, Buffer>> {
  if (volume.configMap) {
    const response = await client.get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${namespace}/configmaps/${volume.configMap.name}`);
    if (response.status !== 200) throw new Error(`e2e: ConfigMap ${namespace}/${volume.configMap.name} for volume ${volume.name}: ${response.status}`);
    return Object.fromEntries(Object.entries(response.body.data ?? {}).map(([key, value]) => [key, Buffer.from(value)]));
  }
  if (volume.secret) {
    const response = await client.get<{ data?: Record<string, string> }>(`/api/v1/namespaces/${namespace}/secrets/${volume.secret.secretName}`);
    if (response.status !== 200) throw new Error(`e2e: Secret ${namespace}/${volume.secret.secretName} for volume ${volume.name}: ${response.status}`);
    return Object.fromEntries(Object.entries(response.body.data ?? {}).map(([key, value]) => [key, Buffer.from(value, 'base64')]));
  }
  throw new Error(`e2e: volume ${volume.name} is neither a ConfigMap nor a Secret; the local runner mounts only those`);
}

/** Prepares `container` of `spec` to run here as pod `podName` in `namespace`. */
export async function prepareContainer(client: KubeClient, options: { namespace: string; podName: string; spec: PodSpecLike; container: string; dir: string }): Promise<LocalContainer> {
  const container = options.spec.containers.find((candidate) => candidate.name === options.container);
  if (container === undefined) throw new Error(`e2e: the pod spec has no container ${options.container}`);

  const mounts: { mountPath: string; hostPath: string; files: Record<string, Buffer> }[] = [];
  for (const mount of container.volumeMounts ?? []) {
    const volume = options.spec.volumes?.find((candidate) => candidate.name === mount.name);
    if (volume === undefined) throw new Error(`e2e: container ${container.name} mounts ${mount.name}, which the pod does not define`);
    const hostPath = join(options.dir, `volume-${mount.name}`);
    mounts.push({ mountPath: mount.mountPath.replace(/\/+$/, ''), hostPath, files: await readData(client, options.namespace, volume) });
  }
  mounts.sort((a, b) => b.mountPath.length - a.mountPath.length);
  const rewrite = (text: string) => mounts.reduce((result, mount) => result.split(`${mount.mountPath}/`).join(`${mount.hostPath}/`), text);
  for (const mount of mounts) {
    mkdirSync(mount.hostPath, { recursive: true, mode: 0o700 });
    for (const [file, content] of Object.entries(mount.files)) writeFileSync(join(mount.hostPath, file), rewrite(content.toString('utf8')), { mode: 0o600 });
  }

  const env: Record<string, string> = {};
  for (const variable of container.env ?? []) {
    if (variable.value !== undefined) env[variable.name] = variable.value;
    else if (variable.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace') env[variable.name] = options.namespace;
    else if (variable.valueFrom?.fieldRef?.fieldPath === 'metadata.name') env[variable.name] = options.podName;
    else throw new Error(`e2e: the local runner cannot resolve env ${variable.name} of container ${container.name}`);
  }

  const [program, ...programArgs] = [...(container.command ?? IMAGE_ENTRYPOINT), ...(container.args ?? [])].map(rewrite);
  if (program !== 'node') throw new Error(`e2e: container ${container.name} runs ${program}; the local runner runs node programs only`);
  // The image's entrypoint is the built CLI; here the same CLI runs from source.
  const args = programArgs[0] === '/app/dist/cli.js' ? ['--import', 'tsx', join(REPO, 'src', 'cli.ts'), ...programArgs.slice(1)] : programArgs;
  return { command: process.execPath, args, env, rewrite };
}
