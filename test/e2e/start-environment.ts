import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { recordForCleanup } from './child-processes.js';
import { findBinaries } from './find-binaries.js';
import { freePort } from '../helpers/free-port.js';
import { createChartInstaller } from './install-chart.js';
import type { KubeClient, KubeObject } from './kube-client.js';
import { createLocalInjector, type LocalInjector } from './local-injector.js';
import { makeClusterPki } from './make-pki.js';
import { appPod, injectAnnotations, INJECTION_LABEL, isUntouched, namespace, podsPath, type Pod } from './pod-manifests.js';
import { RELEASE_NAMESPACE } from './render-chart.js';
import { createResourcePaths, type ResourcePaths } from './resource-paths.js';
import { startEtcd } from './start-etcd.js';
import { startKubeApiServer } from './start-kube-apiserver.js';
import { waitUntil } from './wait-until.js';

export interface E2eEnvironment {
  /** Admin client of the API server. */
  readonly kube: KubeClient;
  readonly paths: ResourcePaths;
  /** `gitVersion` of the running kube-apiserver, such as v1.36.3. */
  readonly kubeVersion: string;
  /** The chart's render that was installed. */
  readonly rendered: readonly KubeObject[];
  /** metadata.name of the MutatingWebhookConfiguration and the name of its one webhook. */
  readonly webhook: { readonly configurationName: string; readonly name: string };
  /** `sidecar.image` of the injector config the chart rendered. */
  readonly sidecarImage: string;
  readonly injector: LocalInjector;
  /** A namespace, with the `default` ServiceAccount the (absent) controller manager would make. */
  createNamespace(name: string, labels?: Record<string, string>): Promise<void>;
  /** `helm upgrade` with these values. */
  upgrade(values: Record<string, string>): Promise<void>;
  /** Polls dry-run creates of an annotated pod in an opted-in namespace until the API server does `expect`. */
  waitForWebhook(expect: 'injected' | 'created-untouched' | 'refused'): Promise<void>;
  /** Stops every process and removes the temporary folder (kept with HOOKGUARD_E2E_KEEP=1). */
  stop(): Promise<void>;
}

const PROBE_NAMESPACE = 'e2e-probe';

/** A random address in 127.0.0.0/8, so that parallel runs can each have port 443 to themselves. */
function loopbackAddress(): string {
  const byte = () => 1 + Math.floor(Math.random() * 253);
  return `127.${byte()}.${byte()}.${1 + byte()}`;
}

function canListen(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * etcd, kube-apiserver, the chart installed into it with `values`, and the chart's injector running
 * locally behind its webhook; resolves once the API server injects pods. Stops everything it
 * started if any step fails.
 */
export async function startEnvironment(options: { values?: Record<string, string> } = {}): Promise<E2eEnvironment> {
  const dir = mkdtempSync(join(tmpdir(), 'hookguard-e2e-'));
  recordForCleanup('dir', dir);
  const stoppers: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stoppers.splice(0).reverse()) await stopOne().catch(() => undefined);
    if (process.env.HOOKGUARD_E2E_KEEP) process.stderr.write(`e2e: logs kept in ${dir}\n`);
    else rmSync(dir, { recursive: true, force: true });
  };

  try {
    const binaries = findBinaries();
    const pki = makeClusterPki(dir);
    const etcd = await startEtcd(binaries.etcd, dir);
    stoppers.push(() => etcd.process.stop());
    const apiServer = await startKubeApiServer(binaries.kubeApiServer, dir, etcd.url, pki);
    stoppers.push(() => apiServer.process.stop(10_000));
    stoppers.push(() => apiServer.client.close());
    const kube = apiServer.client;
    const paths = createResourcePaths(kube);
    const kubeVersion = (await kube.get<{ gitVersion: string }>('/version')).body.gitVersion;

    const createNamespace = async (name: string, labels: Record<string, string> = {}) => {
      await kube.apply('/api/v1/namespaces', namespace(name, labels));
      await kube.apply(`/api/v1/namespaces/${name}/serviceaccounts`, { apiVersion: 'v1', kind: 'ServiceAccount', metadata: { name: 'default' } });
    };

    // Port 443, as the chart's Service and webhook say, on an address of this run's own; only
    // when 443 cannot be bound (not root) does another port stand in for it.
    const host = loopbackAddress();
    const injectorAddress = { host, port: (await canListen(host, 443)) ? 443 : await freePort() };
    const installer = createChartInstaller({ kube, paths, apiServerUrl: apiServer.url, clusterCa: pki.ca.cert, kubeVersion, injectorAddress, dir });

    let injector: LocalInjector | undefined;
    await createNamespace(RELEASE_NAMESPACE); // helm install --create-namespace
    const installed = await installer.install(options.values ?? {}, async ({ injectorDeployment }) => {
      const local = await createLocalInjector({ kube, deployment: injectorDeployment, listen: injectorAddress, dir });
      injector = local;
      stoppers.push(() => local.stop());
      await local.start();
    });
    const localInjector = injector!;
    const injectorConfig = parse((installed.injectorConfigMap.data as Record<string, string>)['injector.yaml'] ?? '') as { sidecar: { image: string } };

    const environment: E2eEnvironment = {
      kube,
      paths,
      kubeVersion,
      rendered: installed.rendered,
      webhook: {
        configurationName: installed.webhookConfiguration.metadata!.name!,
        name: (installed.webhookConfiguration.webhooks as { name: string }[])[0]!.name,
      },
      sidecarImage: injectorConfig.sidecar.image,
      injector: localInjector,
      createNamespace,
      upgrade: (values) => installer.upgrade(values),
      async waitForWebhook(expect) {
        let last = '';
        await waitUntil(
          `the webhook to answer "${expect}"`,
          async () => {
            const response = await kube.create<Pod>(podsPath(PROBE_NAMESPACE), appPod(`probe-${Date.now()}`, injectAnnotations()), { dryRun: true });
            last = `${response.status} ${JSON.stringify(response.body).slice(0, 300)}`;
            const outcome = response.status !== 201 ? 'refused' : isUntouched(response.body) ? 'created-untouched' : 'injected';
            return outcome === expect ? true : undefined;
          },
          { timeoutMs: 30_000, intervalMs: 250, describe: () => `last answer: ${last}\ninjector log:\n${localInjector.logTail(10)}` },
        );
      },
      stop,
    };
    await createNamespace(PROBE_NAMESPACE, { [INJECTION_LABEL]: 'enabled' });
    await environment.waitForWebhook('injected');
    return environment;
  } catch (error) {
    await stop();
    throw error;
  }
}
