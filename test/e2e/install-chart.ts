import { execFile } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { childEnv } from './child-processes.js';
import { REPO } from './find-binaries.js';
import { KubeError, type KubeClient, type KubeObject } from './kube-client.js';
import { prepareContainer, type PodSpecLike } from './local-pod.js';
import { findObject, RELEASE_NAMESPACE, renderChart } from './render-chart.js';
import type { ResourcePaths } from './resource-paths.js';

const HOOK = 'helm.sh/hook';
const hookPhases = (object: KubeObject) => (object.metadata?.annotations?.[HOOK] ?? '').split(',').filter(Boolean);
const hookWeight = (object: KubeObject) => Number(object.metadata?.annotations?.['helm.sh/hook-weight'] ?? 0);

export interface ChartInstallDeps {
  readonly kube: KubeClient;
  readonly paths: ResourcePaths;
  readonly apiServerUrl: string;
  /** The cluster CA, written next to each Job's token as its ca.crt. */
  readonly clusterCa: Buffer;
  readonly kubeVersion: string;
  /** Where the injector's Service leads: the address the local injector listens on. */
  readonly injectorAddress: { readonly host: string; readonly port: number };
  readonly dir: string;
}

/** What `helm install` left in the cluster that the tests need to know. */
export interface InstalledChart {
  readonly rendered: readonly KubeObject[];
  readonly webhookConfiguration: KubeObject;
  readonly injectorDeployment: KubeObject;
  readonly injectorConfigMap: KubeObject;
}

function run(command: string, args: readonly string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(command, args, { cwd: REPO, env, timeout: 300_000 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`e2e: ${args.slice(0, 2).join(' ')} failed: ${error.message}\n${stdout}${stderr}`));
      else resolve();
    });
  });
}

/**
 * `helm install` and `helm upgrade` of helm/hookguard against the test API server, with hook Jobs
 * run as local processes (no kubelet). The release's workloads are not applied: the injector runs
 * locally (local-injector.ts) and the rest would never start without a kubelet.
 */
export function createChartInstaller(deps: ChartInstallDeps) {
  const { kube, paths, injectorAddress } = deps;
  const apply = async (object: KubeObject) => kube.apply(await paths.collection(object, RELEASE_NAMESPACE), object);

  /** Runs a hook Job's container here, as its own ServiceAccount, the way the kubelet would. */
  async function runJob(job: KubeObject): Promise<void> {
    const spec = (job.spec as { template: { spec: PodSpecLike } }).template.spec;
    const jobDir = join(deps.dir, `job-${job.metadata?.name}-${Date.now()}`);
    const tokenDir = join(jobDir, 'serviceaccount');
    mkdirSync(tokenDir, { recursive: true });
    const tokenPath = `/api/v1/namespaces/${RELEASE_NAMESPACE}/serviceaccounts/${spec.serviceAccountName ?? 'default'}/token`;
    const token = await kube.request<{ status?: { token?: string } }>('POST', tokenPath, { apiVersion: 'authentication.k8s.io/v1', kind: 'TokenRequest', spec: { expirationSeconds: 600 } });
    if (token.status !== 201) throw new KubeError('POST', tokenPath, token);
    writeFileSync(join(tokenDir, 'token'), token.body.status?.token ?? '');
    writeFileSync(join(tokenDir, 'ca.crt'), deps.clusterCa);

    const local = await prepareContainer(kube, { namespace: RELEASE_NAMESPACE, podName: `${job.metadata?.name}-local`, spec, container: spec.containers[0]!.name, dir: jobDir });
    // In a pod the token is at certgen's default path, and the Service's name resolves through
    // cluster DNS; here the token is in tokenDir and the Service leads to injectorAddress.
    const extra = [`--service-account-dir=${tokenDir}`];
    if (local.args.includes('patch-ca-bundle')) extra.push(`--connect-host=${injectorAddress.host}`, `--port=${injectorAddress.port}`);
    const api = new URL(deps.apiServerUrl);
    await run(local.command, [...local.args, ...extra], childEnv({ ...local.env, KUBERNETES_SERVICE_HOST: api.hostname, KUBERNETES_SERVICE_PORT: api.port }));
  }

  /** One hook phase as helm runs it: hooks by weight, each Job run to completion. */
  async function runHooks(objects: readonly KubeObject[], phase: string): Promise<void> {
    const hooks = objects.filter((object) => hookPhases(object).includes(phase)).sort((a, b) => hookWeight(a) - hookWeight(b));
    for (const hook of hooks) {
      if (hook.kind === 'Job') await runJob(hook);
      else await apply(hook);
    }
  }

  /** The webhook configuration as rendered; only the port changes, and only when 443 could not be bound. */
  function asApplied(configuration: KubeObject): KubeObject {
    if (injectorAddress.port === 443) return configuration;
    const copy = structuredClone(configuration) as KubeObject & { webhooks: { clientConfig: { service?: { port?: number } } }[] };
    for (const webhook of copy.webhooks) if (webhook.clientConfig.service) webhook.clientConfig.service.port = injectorAddress.port;
    return copy;
  }

  return {
    /**
     * pre-install hooks, the injector's ConfigMap, Service and webhook configuration, then
     * `startInjector` (the Deployment's pod, which needs the TLS Secret made by the pre-install
     * Job), then the post-install hooks, which wait for it to serve its certificate.
     */
    async install(values: Record<string, string>, startInjector: (installed: InstalledChart) => Promise<void>): Promise<InstalledChart> {
      const rendered = renderChart(deps.kubeVersion, values);
      const injectorDeployment = findObject(rendered, 'Deployment', (object) => object.metadata?.name?.endsWith('-injector') ?? false);
      const isInjector = (object: KubeObject) => object.metadata?.name === injectorDeployment.metadata?.name;
      const installed: InstalledChart = {
        rendered,
        webhookConfiguration: findObject(rendered, 'MutatingWebhookConfiguration'),
        injectorDeployment,
        injectorConfigMap: findObject(rendered, 'ConfigMap', isInjector),
      };
      const service = findObject(rendered, 'Service', isInjector);

      await runHooks(rendered, 'pre-install');
      await apply(installed.injectorConfigMap);
      // No kube-proxy: an ExternalName Service of the same name makes the API server dial the
      // local injector, and it still checks the certificate against <service>.<namespace>.svc.
      await apply({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: service.metadata?.name, namespace: RELEASE_NAMESPACE, labels: service.metadata?.labels ?? {} },
        spec: { type: 'ExternalName', externalName: injectorAddress.host, ports: (service.spec as { ports?: unknown[] }).ports },
      });
      await apply(asApplied(installed.webhookConfiguration));
      await startInjector(installed);
      await runHooks(rendered, 'post-install');
      return installed;
    },

    /** pre-upgrade hooks, the webhook configuration merged as helm merges it, post-upgrade hooks. */
    async upgrade(values: Record<string, string>): Promise<void> {
      const rendered = renderChart(deps.kubeVersion, values);
      await runHooks(rendered, 'pre-upgrade');
      // Like helm's three-way merge, a strategic merge patch keeps what the chart does not render (the caBundle).
      const update = asApplied(findObject(rendered, 'MutatingWebhookConfiguration'));
      const path = `${await paths.collection(update)}/${update.metadata?.name}`;
      const patched = await kube.request('PATCH', path, update, 'application/strategic-merge-patch+json');
      if (patched.status !== 200) throw new KubeError('PATCH', path, patched);
      await runHooks(rendered, 'post-upgrade');
    },
  };
}
