import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { isMap, isScalar, parse, parseDocument, type YAMLMap } from 'yaml';
import { validateInjectorConfig } from '../../src/injector/injector-config.js';
import { ADMIN_PORT, ADMIN_PORT_NAME, MUTATE_PATH, NAMESPACE_OPT_IN_LABEL, NAMESPACE_OPT_IN_VALUE } from '../../src/injector/injector-names.js';
import { assertValidPod } from '../injector/validate-pod.js';
import { issueCertificates } from './certgen-module.js';
import { CHART, find, helm, KUBE_VERSION, lint, RELEASE, REPO, render, template, type K8sObject } from './helm.js';
import { strictFieldProblems, validateRuntime } from './validate-objects.js';

type Values = Record<string, unknown>;

const EXISTING_CA = Buffer.from(issueCertificates({ hosts: ['hookguard-injector.hookguard.svc'], validityDays: 30 }).caPem).toString('base64');

const MONITORING_ON: Values = {
  metrics: { serviceMonitor: { enabled: true, labels: { release: 'kube-prometheus-stack' } }, podMonitor: { enabled: true }, prometheusRule: { enabled: true } },
  grafana: { dashboard: { enabled: true } },
  networkPolicy: { enabled: true },
};

/** The values matrix of the issue, plus the TLS and Redis variants the templates branch on. */
const MATRIX: Record<string, { values: Values; kubeVersion?: string }> = {
  defaults: { values: {} },
  'external Redis URL': { values: { redis: { enabled: false, external: { url: 'redis://redis.data.svc:6379' } } } },
  'external Redis Sentinel': {
    values: { redis: { enabled: false, external: { sentinel: { name: 'mymaster', nodes: ['sentinel-0.data:26379', 'sentinel-1.data:26379', 'sentinel-2.data:26379'] } } } },
  },
  'external Redis Cluster': { values: { redis: { enabled: false, external: { cluster: { nodes: ['redis-0.data:6379', 'redis-1.data:6379', 'redis-2.data:6379'] } } } } },
  'cert-manager': { values: { tls: { certManager: { enabled: true } } } },
  'cert-manager with a ClusterIssuer': { values: { tls: { certManager: { enabled: true, issuerRef: { name: 'internal-ca', kind: 'ClusterIssuer', group: 'cert-manager.io' } } } } },
  'existing TLS Secret': { values: { tls: { existingSecret: 'injector-tls', caBundle: EXISTING_CA } } },
  'monitoring on': { values: MONITORING_ON },
  'everything off': {
    values: {
      injector: { replicas: 1, podDisruptionBudget: { enabled: false }, topologySpreadConstraints: [], serviceAccount: { create: false, name: 'default' } },
      redis: { enabled: false },
      tls: { existingSecret: 'injector-tls', caBundle: EXISTING_CA },
      sidecar: { redis: { passwordSecretKey: '' } },
    },
  },
  'plain sidecars on Kubernetes 1.27, Redis without auth or volume': {
    values: { sidecar: { nativeSidecar: false }, redis: { auth: { enabled: false }, persistence: { enabled: false } } },
    kubeVersion: '1.27.0',
  },
  'existing Redis password Secret, shared password Secret name': {
    values: { redis: { auth: { existingSecret: 'redis-credentials', existingSecretKey: 'password' } }, sidecar: { redis: { passwordSecretName: 'hookguard-redis', passwordSecretKey: 'password' } } },
  },
  'another release name and namespace': { values: { ...MONITORING_ON, webhook: { failurePolicy: 'Ignore', timeoutSeconds: 5, excludeNamespaces: ['legacy'] } } },
};

const releaseOf = (name: string) => (name === 'another release name and namespace' ? { release: 'gate', namespace: 'webhooks' } : {});

const CLUSTER_SCOPED = new Set(['MutatingWebhookConfiguration', 'ClusterRole', 'ClusterRoleBinding', 'Namespace']);
const WORKLOADS = new Set(['Deployment', 'StatefulSet', 'Job']);

function selectorMatches(selector: Record<string, string>, labels: Record<string, string> | undefined): boolean {
  return Object.entries(selector).every(([key, value]) => labels?.[key] === value);
}

function podTemplates(objects: readonly K8sObject[]): { owner: K8sObject; template: any }[] {
  return objects.filter((o) => WORKLOADS.has(o.kind)).map((owner) => ({ owner, template: owner.spec.template }));
}

function hooksOf(obj: K8sObject): string[] {
  return (obj.metadata.annotations?.['helm.sh/hook'] ?? '').split(',').filter(Boolean);
}

/** Everything that must hold in any render, whatever the values. */
function checkInvariants(objects: readonly K8sObject[], namespace: string): void {
  const names = objects.map((o) => `${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`);
  assert.equal(new Set(names).size, names.length, `object names are unique: ${names.join(', ')}`);

  for (const obj of objects) {
    const where = `${obj.kind}/${obj.metadata.name}`;
    validateRuntime(obj);
    if (CLUSTER_SCOPED.has(obj.kind)) assert.equal(obj.metadata.namespace, undefined, `${where} is cluster-scoped`);
    else if (!(obj.kind === 'ConfigMap' && obj.metadata.name.endsWith('-dashboard'))) assert.equal(obj.metadata.namespace, namespace, `${where} is in the release namespace`);
    for (const label of ['app.kubernetes.io/name', 'app.kubernetes.io/instance', 'app.kubernetes.io/managed-by', 'app.kubernetes.io/part-of', 'helm.sh/chart']) {
      assert.ok(obj.metadata.labels?.[label], `${where} has label ${label}`);
    }
  }

  for (const { owner, template: pod } of podTemplates(objects)) {
    const where = `${owner.kind}/${owner.metadata.name}`;
    const spec = pod.spec;
    // A StatefulSet's claim templates are volumes too.
    const volumes = [...(spec.volumes ?? []), ...(owner.spec.volumeClaimTemplates ?? []).map((c: any) => ({ name: c.metadata.name, persistentVolumeClaim: { claimName: c.metadata.name } }))];
    assertValidPod({ metadata: pod.metadata, spec: { ...spec, volumes } });
    assert.equal(pod.metadata.labels['hookguard.io/system'], 'true', `${where}: its pods are never sent to the injector`);
    assert.equal(spec.securityContext.runAsNonRoot, true, `${where}: runAsNonRoot`);
    assert.equal(spec.securityContext.seccompProfile.type, 'RuntimeDefault', `${where}: seccomp`);
    for (const container of [...(spec.initContainers ?? []), ...spec.containers]) {
      const sc = container.securityContext;
      assert.equal(sc.readOnlyRootFilesystem, true, `${where}/${container.name}: read-only root`);
      assert.equal(sc.allowPrivilegeEscalation, false, `${where}/${container.name}: no privilege escalation`);
      assert.deepEqual(sc.capabilities.drop, ['ALL'], `${where}/${container.name}: drops every capability`);
      assert.ok(container.resources?.requests?.memory && container.resources?.limits?.memory, `${where}/${container.name}: memory request and limit`);
    }
    if (owner.kind !== 'Job') assert.equal(spec.automountServiceAccountToken, false, `${where}: no API token`);
  }

  for (const service of objects.filter((o) => o.kind === 'Service')) {
    const backends = podTemplates(objects).filter(({ template: pod }) => selectorMatches(service.spec.selector, pod.metadata.labels));
    assert.equal(backends.length, 1, `Service ${service.metadata.name} selects exactly one workload`);
    const containerPorts = backends[0]!.template.spec.containers.flatMap((c: any) => c.ports ?? []);
    for (const port of service.spec.ports) {
      assert.ok(containerPorts.some((p: any) => p.name === port.targetPort), `Service ${service.metadata.name} targets declared port ${port.targetPort}`);
    }
  }

  const hooks = objects.filter((o) => hooksOf(o).length > 0);
  for (const obj of hooks) {
    assert.ok(obj.metadata.annotations?.['helm.sh/hook-delete-policy']?.includes('before-hook-creation'), `${obj.kind}/${obj.metadata.name}: hook replaced on every run`);
  }
  for (const job of hooks.filter((o) => o.kind === 'Job')) {
    // Whatever a hook Job needs exists during every hook event it runs in.
    const sa = job.spec.template.spec.serviceAccountName;
    const configMaps = job.spec.template.spec.volumes.filter((v: any) => v.configMap).map((v: any) => v.configMap.name);
    for (const event of hooksOf(job)) {
      assert.ok(hooksOf(find(objects, 'ServiceAccount', sa)).includes(event), `${sa} exists during ${event}`);
      for (const name of configMaps) assert.ok(hooksOf(find(objects, 'ConfigMap', name)).includes(event), `${name} exists during ${event}`);
      for (const binding of objects.filter((o) => o.kind.endsWith('RoleBinding') && o.subjects.some((s: any) => s.name === sa))) {
        assert.ok(hooksOf(binding).includes(event), `${binding.kind} ${binding.metadata.name} exists during ${event}`);
        assert.ok(hooksOf(find(objects, binding.roleRef.kind, binding.roleRef.name)).includes(event), `${binding.roleRef.name} exists during ${event}`);
      }
    }
  }
}

/** The injector: Deployment, Service, webhook and config agree with each other and with src/injector. */
function checkInjector(objects: readonly K8sObject[], values: any, namespace: string): any {
  const configMap = objects.find((o) => o.kind === 'ConfigMap' && o.data?.['injector.yaml'])!;
  const result = validateInjectorConfig(parse(configMap.data['injector.yaml']), { POD_NAMESPACE: namespace });
  assert.ok(result.ok, `the rendered injector config is valid: ${JSON.stringify(!result.ok && result.problems)}`);
  const config = result.config;
  assert.equal(config.ownNamespace, namespace);
  assert.equal(config.sidecar.nativeSidecar, values.sidecar?.nativeSidecar ?? true);

  const deployment = objects.find((o) => o.kind === 'Deployment' && o.spec.template.spec.containers[0].args?.[0] === 'injector')!;
  const pod = deployment.spec.template.spec;
  const container = pod.containers[0];
  assert.equal(deployment.spec.replicas, values.injector?.replicas ?? 2);
  assert.equal(deployment.spec.strategy.rollingUpdate.maxUnavailable, 0, 'a rollout never lowers the number of answering injectors');
  assert.deepEqual(container.args, ['injector', '--config', '/etc/hookguard/injector/injector.yaml']);
  const mounts = Object.fromEntries(container.volumeMounts.map((m: any) => [m.name, m.mountPath]));
  const volumes = Object.fromEntries(pod.volumes.map((v: any) => [v.name, v]));
  assert.equal(volumes.config.configMap.name, configMap.metadata.name);
  assert.equal(`${mounts.tls}/tls.crt`, config.tls.certFile);
  assert.equal(`${mounts.tls}/tls.key`, config.tls.keyFile);
  assert.equal(container.env.find((e: any) => e.name === 'POD_NAMESPACE').valueFrom.fieldRef.fieldPath, 'metadata.namespace');
  const ports = Object.fromEntries(container.ports.map((p: any) => [p.name, p.containerPort]));
  assert.equal(ports.https, config.listen.port);
  assert.equal(ports.metrics, config.admin.port);
  assert.equal(config.admin.port, ADMIN_PORT);
  assert.ok(!container.ports.some((p: any) => p.name === ADMIN_PORT_NAME), 'the injector is not taken for a sidecar by the PodMonitor');
  for (const probe of ['startupProbe', 'readinessProbe', 'livenessProbe']) assert.equal(container[probe].httpGet.port, 'metrics');
  assert.equal(container.readinessProbe.httpGet.path, '/readyz');
  assert.equal(container.livenessProbe.httpGet.path, '/healthz');
  if ((values.injector?.topologySpreadConstraints ?? [1]).length > 0) {
    for (const constraint of pod.topologySpreadConstraints) assert.deepEqual(constraint.labelSelector.matchLabels, deployment.spec.selector.matchLabels);
    assert.ok(pod.topologySpreadConstraints.some((c: any) => c.topologyKey === 'kubernetes.io/hostname'), 'spread across nodes');
  }

  const service = objects.find((o) => o.kind === 'Service' && o.spec.ports.some((p: any) => p.name === 'https'))!;
  assert.ok(selectorMatches(service.spec.selector, deployment.spec.template.metadata.labels));
  const webhookConfig = find(objects, 'MutatingWebhookConfiguration');
  assert.equal(webhookConfig.webhooks.length, 1);
  const webhook = webhookConfig.webhooks[0];
  assert.equal(webhook.name, 'inject.hookguard.io');
  assert.deepEqual(webhook.admissionReviewVersions, ['v1']);
  assert.equal(webhook.sideEffects, 'None');
  assert.equal(webhook.reinvocationPolicy, 'IfNeeded');
  assert.equal(webhook.failurePolicy, values.webhook?.failurePolicy ?? 'Fail');
  assert.equal(webhook.timeoutSeconds, values.webhook?.timeoutSeconds ?? 10);
  assert.deepEqual(webhook.clientConfig.service, { name: service.metadata.name, namespace, path: MUTATE_PATH, port: 443 });
  assert.equal(service.spec.ports.find((p: any) => p.port === 443).targetPort, 'https');
  assert.deepEqual(webhook.rules, [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'], scope: 'Namespaced' }]);
  const expressions = webhook.namespaceSelector.matchExpressions;
  assert.deepEqual(expressions[0], { key: NAMESPACE_OPT_IN_LABEL, operator: 'In', values: [NAMESPACE_OPT_IN_VALUE] });
  assert.deepEqual(expressions[1], { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: [namespace, 'kube-system', ...(values.webhook?.excludeNamespaces ?? [])] });
  assert.deepEqual(webhook.objectSelector, { matchExpressions: [{ key: 'hookguard.io/system', operator: 'DoesNotExist' }] });

  if (values.injector?.podDisruptionBudget?.enabled !== false) {
    const pdb = find(objects, 'PodDisruptionBudget');
    assert.deepEqual(pdb.spec.selector.matchLabels, deployment.spec.selector.matchLabels);
    assert.ok(pdb.spec.minAvailable < deployment.spec.replicas);
  } else {
    assert.ok(!objects.some((o) => o.kind === 'PodDisruptionBudget'));
  }
  return { config, webhookConfig, tlsSecret: volumes.tls.secret.secretName, serviceName: service.metadata.name };
}

function checkTls(objects: readonly K8sObject[], values: any, namespace: string, injector: any): void {
  const hosts = [`${injector.serviceName}.${namespace}.svc`, `${injector.serviceName}.${namespace}.svc.cluster.local`];
  const jobs = objects.filter((o) => o.kind === 'Job');
  const argsOf = (job: K8sObject) => Object.fromEntries(job.spec.template.spec.containers[0].args.slice(1).map((a: string) => a.replace(/^--/, '').split(/=(.*)/s, 2)));
  const caBundleJob = jobs.find((j) => j.spec.template.spec.containers[0].args[0] === 'patch-ca-bundle');
  const secretsJob = jobs.find((j) => j.spec.template.spec.containers[0].args[0] === 'ensure-secrets');
  const clientConfig = injector.webhookConfig.webhooks[0].clientConfig;

  if (values.tls?.certManager?.enabled) {
    const certificate = find(objects, 'Certificate');
    assert.equal(certificate.spec.secretName, injector.tlsSecret);
    assert.deepEqual(certificate.spec.dnsNames, hosts);
    assert.equal(injector.webhookConfig.metadata.annotations['cert-manager.io/inject-ca-from'], `${namespace}/${certificate.metadata.name}`);
    if (values.tls.certManager.issuerRef) {
      assert.deepEqual(certificate.spec.issuerRef, values.tls.certManager.issuerRef);
      assert.ok(!objects.some((o) => o.kind === 'Issuer'));
    } else {
      assert.equal(certificate.spec.issuerRef.name, find(objects, 'Issuer').metadata.name);
    }
    assert.equal(clientConfig.caBundle, undefined);
    assert.equal(caBundleJob, undefined);
    assert.equal(secretsJob && argsOf(secretsJob)['tls-secret'], undefined);
    return;
  }
  assert.ok(!objects.some((o) => o.apiVersion.startsWith('cert-manager.io')), 'no cert-manager objects');
  if (values.tls?.existingSecret) {
    assert.equal(injector.tlsSecret, values.tls.existingSecret);
    assert.equal(clientConfig.caBundle, values.tls.caBundle);
    assert.ok(new X509Certificate(Buffer.from(clientConfig.caBundle, 'base64')).ca, 'the caBundle is a CA certificate');
    assert.equal(caBundleJob, undefined);
    assert.equal(secretsJob && argsOf(secretsJob)['tls-secret'], undefined);
    return;
  }
  // The default: hook Jobs. Nothing generated while rendering, caBundle left to the Job.
  assert.equal(clientConfig.caBundle, undefined, 'the chart never renders the caBundle it does not own');
  assert.ok(secretsJob && caBundleJob, 'both certgen Jobs');
  assert.deepEqual(hooksOf(secretsJob), ['pre-install', 'pre-upgrade']);
  assert.deepEqual(hooksOf(caBundleJob), ['post-install', 'post-upgrade']);
  const secretArgs = argsOf(secretsJob);
  assert.equal(secretArgs['tls-secret'], injector.tlsSecret);
  assert.deepEqual(secretArgs.hosts.split(','), hosts);
  assert.equal(secretArgs.webhook, injector.webhookConfig.metadata.name);
  assert.equal(secretArgs.namespace, namespace);
  const bundleArgs = argsOf(caBundleJob);
  assert.equal(bundleArgs['tls-secret'], injector.tlsSecret);
  assert.equal(bundleArgs.webhook, injector.webhookConfig.metadata.name);
  assert.equal(bundleArgs.service, injector.serviceName);
  for (const job of [secretsJob, caBundleJob]) {
    const container = job.spec.template.spec.containers[0];
    assert.deepEqual(container.command, ['node', '/etc/hookguard/certgen/certgen.mjs']);
    const script = find(objects, 'ConfigMap', job.spec.template.spec.volumes[0].configMap.name).data['certgen.mjs'];
    assert.equal(script, readFileSync(join(CHART, 'files/certgen.mjs'), 'utf8'), 'the Job runs files/certgen.mjs as it is');
  }
  const role = find(objects, 'Role');
  assert.ok(role.rules.some((r: any) => r.verbs.includes('update') && r.resourceNames.includes(injector.tlsSecret)));
  const clusterRole = find(objects, 'ClusterRole');
  assert.deepEqual(clusterRole.rules, [
    { apiGroups: ['admissionregistration.k8s.io'], resources: ['mutatingwebhookconfigurations'], verbs: ['get', 'patch'], resourceNames: [injector.webhookConfig.metadata.name] },
  ]);
}

function checkRedis(objects: readonly K8sObject[], values: any, namespace: string, injector: any): void {
  const redis = values.redis ?? {};
  const statefulSet = objects.find((o) => o.kind === 'StatefulSet');
  const sidecarRedis = injector.config.sidecar.redis;
  if (redis.enabled === false) {
    assert.equal(statefulSet, undefined);
    assert.ok(!objects.some((o) => o.metadata.labels?.['app.kubernetes.io/component'] === 'redis'));
    if (redis.external?.url) {
      assert.equal(sidecarRedis.url, redis.external.url);
    } else {
      // Sentinel and Cluster cannot be handed over as a URL: the app's hooks config names them (NOTES).
      assert.equal(sidecarRedis, undefined);
    }
    return;
  }
  assert.ok(statefulSet, 'the bundled Redis');
  const service = objects.find((o) => o.kind === 'Service' && o.spec.ports.some((p: any) => p.name === 'redis'))!;
  assert.equal(statefulSet.spec.serviceName, service.metadata.name);
  assert.equal(sidecarRedis.url, `redis://${service.metadata.name}.${namespace}.svc:${service.spec.ports[0].port}`);
  const container = statefulSet.spec.template.spec.containers[0];
  assert.deepEqual(container.command, ['redis-server']);
  const arg = (flag: string) => container.args[container.args.indexOf(flag) + 1];
  assert.equal(arg('--maxmemory-policy'), redis.maxMemoryPolicy ?? 'volatile-ttl');
  assert.equal(arg('--appendonly'), redis.persistence?.enabled === false ? 'no' : 'yes');
  assert.equal(statefulSet.spec.volumeClaimTemplates !== undefined, redis.persistence?.enabled !== false);
  if (redis.auth?.enabled === false) {
    assert.ok(!container.args.includes('--requirepass'));
    assert.equal(sidecarRedis.passwordSecretKey, undefined, 'no password handed to sidecars for a Redis without one');
    return;
  }
  assert.equal(arg('--requirepass'), '$(REDIS_PASSWORD)', 'the password is only a reference');
  const ref = container.env.find((e: any) => e.name === 'REDIS_PASSWORD').valueFrom.secretKeyRef;
  const secretsJob = objects.find((o) => o.kind === 'Job' && o.spec.template.spec.containers[0].args[0] === 'ensure-secrets');
  if (redis.auth?.existingSecret) {
    assert.deepEqual(ref, { name: redis.auth.existingSecret, key: redis.auth.existingSecretKey });
    assert.ok(!secretsJob?.spec.template.spec.containers[0].args.some((a: string) => a.startsWith('--redis-secret')));
  } else {
    const args = secretsJob!.spec.template.spec.containers[0].args;
    assert.ok(args.includes(`--redis-secret=${ref.name}`) && args.includes(`--redis-key=${ref.key}`), 'the Job creates the Secret Redis reads');
  }
  assert.equal(sidecarRedis.passwordSecretKey, values.sidecar?.redis?.passwordSecretKey ?? 'redis-password');
  assert.equal(sidecarRedis.passwordSecretName, values.sidecar?.redis?.passwordSecretName);
}

function checkMonitoring(objects: readonly K8sObject[], values: any): void {
  const on = (path: string) => path.split('.').reduce((v: any, k) => v?.[k], values) === true;
  const kinds = new Set(objects.map((o) => o.kind));
  assert.equal(kinds.has('ServiceMonitor'), on('metrics.serviceMonitor.enabled'));
  assert.equal(kinds.has('PodMonitor'), on('metrics.podMonitor.enabled'));
  assert.equal(kinds.has('PrometheusRule'), on('metrics.prometheusRule.enabled'));
  assert.equal(kinds.has('NetworkPolicy'), on('networkPolicy.enabled'));
  assert.equal(objects.some((o) => o.data?.['hookguard.json']), on('grafana.dashboard.enabled'));
  if (on('metrics.serviceMonitor.enabled')) {
    const monitor = find(objects, 'ServiceMonitor');
    const service = objects.find((o) => o.kind === 'Service' && selectorMatches(monitor.spec.selector.matchLabels, o.metadata.labels))!;
    assert.ok(service, 'the ServiceMonitor selects a Service');
    assert.ok(service.spec.ports.some((p: any) => p.name === monitor.spec.endpoints[0].port));
    assert.equal(monitor.metadata.labels!.release, values.metrics.serviceMonitor.labels?.release);
  }
  if (on('metrics.podMonitor.enabled')) {
    const monitor = find(objects, 'PodMonitor');
    assert.equal(monitor.spec.podMetricsEndpoints[0].port, ADMIN_PORT_NAME, "the port name the injector gives the sidecar's admin port");
    assert.deepEqual(monitor.spec.namespaceSelector, { any: true });
  }
  if (on('metrics.prometheusRule.enabled')) {
    const rules = parse(readFileSync(join(REPO, 'deploy/prometheus/hookguard-rules.yaml'), 'utf8'));
    assert.deepEqual(find(objects, 'PrometheusRule').spec, rules, 'the PrometheusRule carries deploy/prometheus/hookguard-rules.yaml');
  }
  if (on('grafana.dashboard.enabled')) {
    const configMap = objects.find((o) => o.data?.['hookguard.json'])!;
    assert.equal(configMap.metadata.labels!.grafana_dashboard, '1');
    assert.equal(configMap.data['hookguard.json'], readFileSync(join(REPO, 'deploy/grafana/hookguard-dashboard.json'), 'utf8').trimEnd());
  }
  if (on('networkPolicy.enabled')) {
    for (const policy of objects.filter((o) => o.kind === 'NetworkPolicy')) {
      const workload = podTemplates(objects).find(({ template: pod }) => selectorMatches(policy.spec.podSelector.matchLabels, pod.metadata.labels));
      assert.ok(workload, `NetworkPolicy ${policy.metadata.name} selects a workload`);
      const declared = workload!.template.spec.containers.flatMap((c: any) => c.ports.map((p: any) => p.name));
      for (const rule of policy.spec.ingress) for (const port of rule.ports) assert.ok(declared.includes(port.port), `${policy.metadata.name}: port ${port.port} is declared`);
      assert.deepEqual(policy.spec.egress, [], `${policy.metadata.name}: no egress`);
    }
  }
}

/**
 * NOTES.txt rendered for given values. `helm template` does not render NOTES.txt, so a copy of the
 * chart wraps it in a template whose output is YAML (`notes: "<the text>"`).
 */
function renderNotes(values: Values, options: { release?: string; namespace?: string; kubeVersion?: string } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'hookguard-notes-'));
  cleanup.push(dir);
  const chart = join(dir, 'hookguard');
  cpSync(CHART, chart, { recursive: true });
  const notes = readFileSync(join(chart, 'templates/NOTES.txt'), 'utf8');
  rmSync(join(chart, 'templates/NOTES.txt'));
  writeFileSync(join(chart, 'templates/notes-preview.yaml'), `{{- define "notes-preview" }}${notes}{{ end }}\nnotes: {{ include "notes-preview" . | toJson }}\n`);
  const file = join(dir, 'values.json');
  writeFileSync(file, JSON.stringify(values));
  const result = helm([
    'template', options.release ?? RELEASE.name, chart, '--namespace', options.namespace ?? RELEASE.namespace,
    '--kube-version', options.kubeVersion ?? KUBE_VERSION, '--values', file, '--show-only', 'templates/notes-preview.yaml',
  ]);
  assert.equal(result.status, 0, result.stderr);
  return (parse(result.stdout) as { notes: string }).notes;
}

const cleanup: string[] = [];
after(() => {
  for (const dir of cleanup) rmSync(dir, { recursive: true, force: true });
});

describe('helm/hookguard', () => {
  const rendered: { label: string; obj: K8sObject }[] = [];

  for (const [name, { values, kubeVersion }] of Object.entries(MATRIX)) {
    describe(`with ${name}`, () => {
      const release = releaseOf(name);
      const namespace = release.namespace ?? RELEASE.namespace;

      it('passes helm lint --strict', () => {
        const result = lint(values, { ...(kubeVersion && { kubeVersion }) });
        assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
      });

      it('renders objects that are valid Kubernetes objects and agree with each other', () => {
        const objects = render(values, { ...release, ...(kubeVersion && { kubeVersion }) });
        for (const obj of objects) rendered.push({ label: `${name}: ${obj.kind}/${obj.metadata.name}`, obj });
        checkInvariants(objects, namespace);
        const injector = checkInjector(objects, values, namespace);
        checkTls(objects, values, namespace, injector);
        checkRedis(objects, values, namespace, injector);
        checkMonitoring(objects, values);
      });

      it('renders the same bytes twice (GitOps tools diff renders)', () => {
        const first = template(values, { ...release, ...(kubeVersion && { kubeVersion }) });
        const second = template(values, { ...release, ...(kubeVersion && { kubeVersion }) });
        assert.equal(first.status, 0, first.stderr);
        assert.equal(second.stdout, first.stdout);
      });

      it('renders NOTES.txt', () => {
        const notes = renderNotes(values, { ...release, ...(kubeVersion && { kubeVersion }) });
        assert.match(notes, /hookguard\.io\/injection=enabled/);
        assert.match(notes, /hookguard\.io\/inject: "true"/);
        assert.match(notes, /9102/);
      });
    });
  }

  it('has no unknown field anywhere in any rendered object', () => {
    const unique = new Map(rendered.map((r) => [JSON.stringify(r.obj), r]));
    assert.ok(unique.size > 20, `objects were rendered (${unique.size})`);
    assert.deepEqual(strictFieldProblems([...unique.values()]), []);
  });

  it('tells the Sentinel and Cluster users what to put in their hooks config', () => {
    const notes = renderNotes(MATRIX['external Redis Sentinel']!.values);
    assert.match(notes, /sentinel:\s+name: mymaster\s+nodes:\s+- sentinel-0\.data:26379/);
    assert.match(renderNotes(MATRIX['external Redis Cluster']!.values), /cluster:\s+nodes:\s+- redis-0\.data:6379/);
    assert.match(renderNotes({}), /kubectl -n hookguard get secret hookguard-redis -o jsonpath='\{\.data\.redis-password\}'/);
  });

  it('generates nothing at render time: no random or cluster-dependent template functions', () => {
    const changing = ['genCA', 'genSelfSignedCert', 'genSignedCert', 'genPrivateKey', 'randAlpha', 'randAlphaNum', 'randNumeric', 'randAscii', 'randBytes', 'uuidv4', 'lookup', 'now', 'date'];
    for (const file of readdirSync(join(CHART, 'templates'))) {
      const actions = readFileSync(join(CHART, 'templates', file), 'utf8').match(/\{\{[\s\S]*?\}\}/g) ?? [];
      for (const action of actions) {
        for (const fn of changing) assert.doesNotMatch(action, new RegExp(`\\b${fn}\\b`), `${file} calls ${fn}, which changes between renders: ${action}`);
      }
    }
  });

  it('documents every value in values.yaml with a comment above it', () => {
    // A map whose keys carry comments is a section: each of its keys needs one. A map whose keys
    // carry none (resources, a security context) is one value, documented above it as a whole.
    const undocumented: string[] = [];
    const commentOf = (map: YAMLMap, i: number) => {
      const key = map.items[i]!.key;
      return (isScalar(key) && key.commentBefore) || (i === 0 && map.commentBefore) || undefined;
    };
    const isSection = (map: YAMLMap) => map.items.some((_, i) => commentOf(map, i) !== undefined);
    const walk = (map: YAMLMap, path: string) => {
      map.items.forEach((pair, i) => {
        const key = isScalar(pair.key) ? String(pair.key.value) : '?';
        if (isMap(pair.value) && isSection(pair.value)) walk(pair.value, `${path}${key}.`);
        else if (commentOf(map, i) === undefined) undocumented.push(`${path}${key}`);
      });
    };
    walk(parseDocument(readFileSync(join(CHART, 'values.yaml'), 'utf8')).contents as YAMLMap, '');
    assert.deepEqual(undocumented, []);
  });

  describe('refuses impossible combinations with a message naming the values', () => {
    const cases: [string, Values, RegExp, string?][] = [
      ['the bundled Redis and an external one', { redis: { external: { url: 'redis://r:6379' } } }, /redis\.enabled=true installs a Redis, but redis\.external\.url names another one/],
      ['two external Redis modes', { redis: { enabled: false, external: { url: 'redis://r:6379', cluster: { nodes: ['a:1'] } } } }, /redis\.external takes one of url, sentinel or cluster, not url and cluster/],
      ['cert-manager and an existing Secret', { tls: { certManager: { enabled: true }, existingSecret: 'tls' } }, /tls\.certManager\.enabled=true and tls\.existingSecret are two sources/],
      ['an existing Secret without its CA', { tls: { existingSecret: 'tls' } }, /tls\.existingSecret needs tls\.caBundle/],
      ['a caBundle without an existing Secret', { tls: { caBundle: EXISTING_CA } }, /tls\.caBundle is only used with tls\.existingSecret/],
      ['a PodDisruptionBudget that blocks every drain', { injector: { replicas: 1 } }, /injector\.podDisruptionBudget\.minAvailable \(1\) must be below injector\.replicas \(1\)/],
      ['native sidecars before Kubernetes 1.29', {}, /sidecar\.nativeSidecar=true needs Kubernetes 1\.29 or later.*set sidecar\.nativeSidecar=false/, '1.28.5'],
      ['a password Secret name without its key', { sidecar: { redis: { passwordSecretName: 'pw', passwordSecretKey: '' } } }, /sidecar\.redis\.passwordSecretName is set but sidecar\.redis\.passwordSecretKey is empty/],
      ['a PodMonitor that can only see the release namespace', { metrics: { podMonitor: { enabled: true, namespaceSelector: { any: false } } } }, /metrics\.podMonitor\.namespaceSelector with any=false and no matchNames selects only hookguard/],
      ['a PodMonitor listing only namespaces never injected', { metrics: { podMonitor: { enabled: true, namespaceSelector: { matchNames: ['hookguard', 'kube-system'] } } } }, /matchNames lists only namespaces the webhook never injects/],
      ['no ServiceAccount to run as', { injector: { serviceAccount: { create: false } } }, /injector\.serviceAccount\.create=false needs injector\.serviceAccount\.name/],
      ['Kubernetes before 1.25', { sidecar: { nativeSidecar: false } }, /chart requires kubeVersion: >=1\.25\.0-0/, '1.24.0'],
      ['an unknown value (a typo)', { injector: { replica: 3 } }, /at '\/injector': additional properties 'replica' not allowed/],
      ['an unknown failure policy', { webhook: { failurePolicy: 'Maybe' } }, /\/webhook\/failurePolicy/],
      ['a webhook timeout above 30 s', { webhook: { timeoutSeconds: 31 } }, /\/webhook\/timeoutSeconds/],
      ['a Sentinel without nodes', { redis: { enabled: false, external: { sentinel: { name: 'm' } } } }, /\/redis\/external\/sentinel/],
      ['a Redis URL with a password', { redis: { enabled: false, external: { url: 'redis://:secret@r:6379' } } }, /\/redis\/external\/url/],
    ];
    for (const [name, values, message, kubeVersion] of cases) {
      it(`refuses ${name}`, () => {
        const result = template(values, kubeVersion ? { kubeVersion } : {});
        assert.notEqual(result.status, 0, `rendered although it should not:\n${result.stdout.slice(0, 400)}`);
        assert.match(result.stderr, message);
      });
    }
  });

  it('keeps the chart version and the image tag in step with package.json', () => {
    const chart = parse(readFileSync(join(CHART, 'Chart.yaml'), 'utf8'));
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    assert.equal(chart.appVersion, pkg.version);
    const deployment = find(render(), 'Deployment', 'hookguard-injector');
    assert.equal(deployment.spec.template.spec.containers[0].image, `ghcr.io/hookguard/hookguard:${pkg.version}`);
  });
});
