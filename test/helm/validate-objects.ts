import assert from 'node:assert/strict';
import { join } from 'node:path';
import ts from 'typescript';
import { MutatingWebhookConfiguration } from 'kubernetes-models/admissionregistration.k8s.io/v1';
import { Deployment, StatefulSet } from 'kubernetes-models/apps/v1';
import { Job } from 'kubernetes-models/batch/v1';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1';
import { ClusterRole, ClusterRoleBinding, Role, RoleBinding } from 'kubernetes-models/rbac.authorization.k8s.io/v1';
import { ConfigMap, Namespace, Secret, Service, ServiceAccount } from 'kubernetes-models/v1';
import { REPO, type K8sObject } from './helm.js';

/**
 * Two checks per object. kubernetes-models' runtime schemas check types, formats and required
 * fields but let unknown fields through; so every object is also type-checked as an object literal
 * against the same models' TypeScript interfaces, where an unknown (misspelt) field anywhere in the
 * tree is an error, as it is for the API server's strict field validation.
 */
interface Model {
  readonly runtime?: new (data: any) => { validate(): void };
  /** [module, interface] of the TypeScript type. */
  readonly type: readonly [string, string];
}

const MODELS: Record<string, Model> = {
  'v1/ConfigMap': { runtime: ConfigMap, type: ['kubernetes-models/v1', 'IConfigMap'] },
  'v1/Namespace': { runtime: Namespace, type: ['kubernetes-models/v1', 'INamespace'] },
  'v1/Secret': { runtime: Secret, type: ['kubernetes-models/v1', 'ISecret'] },
  'v1/Service': { runtime: Service, type: ['kubernetes-models/v1', 'IService'] },
  'v1/ServiceAccount': { runtime: ServiceAccount, type: ['kubernetes-models/v1', 'IServiceAccount'] },
  'apps/v1/Deployment': { runtime: Deployment, type: ['kubernetes-models/apps/v1', 'IDeployment'] },
  'apps/v1/StatefulSet': { runtime: StatefulSet, type: ['kubernetes-models/apps/v1', 'IStatefulSet'] },
  'batch/v1/Job': { runtime: Job, type: ['kubernetes-models/batch/v1', 'IJob'] },
  'policy/v1/PodDisruptionBudget': { runtime: PodDisruptionBudget, type: ['kubernetes-models/policy/v1', 'IPodDisruptionBudget'] },
  'admissionregistration.k8s.io/v1/MutatingWebhookConfiguration': {
    runtime: MutatingWebhookConfiguration,
    type: ['kubernetes-models/admissionregistration.k8s.io/v1', 'IMutatingWebhookConfiguration'],
  },
  'rbac.authorization.k8s.io/v1/Role': { runtime: Role, type: ['kubernetes-models/rbac.authorization.k8s.io/v1', 'IRole'] },
  'rbac.authorization.k8s.io/v1/RoleBinding': { runtime: RoleBinding, type: ['kubernetes-models/rbac.authorization.k8s.io/v1', 'IRoleBinding'] },
  'rbac.authorization.k8s.io/v1/ClusterRole': { runtime: ClusterRole, type: ['kubernetes-models/rbac.authorization.k8s.io/v1', 'IClusterRole'] },
  'rbac.authorization.k8s.io/v1/ClusterRoleBinding': { runtime: ClusterRoleBinding, type: ['kubernetes-models/rbac.authorization.k8s.io/v1', 'IClusterRoleBinding'] },
  'networking.k8s.io/v1/NetworkPolicy': { runtime: NetworkPolicy, type: ['kubernetes-models/networking.k8s.io/v1', 'INetworkPolicy'] },
  // CRDs: shapes written out below from the Prometheus Operator and cert-manager v1 CRDs (the
  // fields this chart uses and their siblings; required fields are required here too).
  'monitoring.coreos.com/v1/ServiceMonitor': { type: ['', 'ServiceMonitor'] },
  'monitoring.coreos.com/v1/PodMonitor': { type: ['', 'PodMonitor'] },
  'monitoring.coreos.com/v1/PrometheusRule': { type: ['', 'PrometheusRule'] },
  'cert-manager.io/v1/Certificate': { type: ['', 'Certificate'] },
  'cert-manager.io/v1/Issuer': { type: ['', 'Issuer'] },
};

const CRD_TYPES = `
type Labels = { [key: string]: string };
interface ObjectMeta { name: string; namespace?: string; labels?: Labels; annotations?: Labels }
interface LabelSelector {
  matchLabels?: Labels;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}
interface NamespaceSelector { any?: boolean; matchNames?: string[] }
interface ScrapeEndpoint {
  port?: string; path?: string; scheme?: 'http' | 'https'; interval?: string; scrapeTimeout?: string;
  honorLabels?: boolean; honorTimestamps?: boolean; relabelings?: object[]; metricRelabelings?: object[];
}
interface ServiceMonitor {
  apiVersion: 'monitoring.coreos.com/v1'; kind: 'ServiceMonitor'; metadata: ObjectMeta;
  spec: { selector: LabelSelector; endpoints: (ScrapeEndpoint & { targetPort?: number | string })[]; namespaceSelector?: NamespaceSelector; jobLabel?: string };
}
interface PodMonitor {
  apiVersion: 'monitoring.coreos.com/v1'; kind: 'PodMonitor'; metadata: ObjectMeta;
  spec: { selector: LabelSelector; podMetricsEndpoints: ScrapeEndpoint[]; namespaceSelector?: NamespaceSelector; jobLabel?: string };
}
interface Rule { alert?: string; record?: string; expr: string; for?: string; keep_firing_for?: string; labels?: Labels; annotations?: Labels }
interface PrometheusRule {
  apiVersion: 'monitoring.coreos.com/v1'; kind: 'PrometheusRule'; metadata: ObjectMeta;
  spec: { groups: { name: string; interval?: string; rules: Rule[] }[] };
}
interface Certificate {
  apiVersion: 'cert-manager.io/v1'; kind: 'Certificate'; metadata: ObjectMeta;
  spec: {
    secretName: string; issuerRef: { name: string; kind?: 'Issuer' | 'ClusterIssuer'; group?: string };
    commonName?: string; dnsNames?: string[]; ipAddresses?: string[]; duration?: string; renewBefore?: string;
    privateKey?: { algorithm?: 'RSA' | 'ECDSA' | 'Ed25519'; size?: number; encoding?: 'PKCS1' | 'PKCS8'; rotationPolicy?: 'Never' | 'Always' };
    usages?: ('server auth' | 'client auth' | 'digital signature' | 'key encipherment')[];
  };
}
interface Issuer {
  apiVersion: 'cert-manager.io/v1'; kind: 'Issuer'; metadata: ObjectMeta;
  spec: { selfSigned?: { crlDistributionPoints?: string[] }; ca?: { secretName: string } };
}
`;

const PROMETHEUS_DURATION = /^(([0-9]+)y)?(([0-9]+)w)?(([0-9]+)d)?(([0-9]+)h)?(([0-9]+)m)?(([0-9]+)s)?(([0-9]+)ms)?$/;
const CERT_MANAGER_DURATION = /^([0-9]+(\.[0-9]+)?(h|m|s))+$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

export function modelKey(obj: K8sObject): string {
  return `${obj.apiVersion}/${obj.kind}`;
}

/** Checks the CRD rules a TypeScript type cannot say: durations, one of alert/record, non-empty lists. */
function checkCrdRules(obj: K8sObject): void {
  const where = `${obj.kind}/${obj.metadata.name}`;
  if (obj.kind === 'ServiceMonitor' || obj.kind === 'PodMonitor') {
    const endpoints: any[] = obj.kind === 'ServiceMonitor' ? obj.spec.endpoints : obj.spec.podMetricsEndpoints;
    assert.ok(endpoints.length > 0, `${where} has at least one endpoint`);
    for (const endpoint of endpoints) {
      assert.ok(endpoint.port, `${where}: every endpoint names a port`);
      if (endpoint.interval !== undefined) assert.match(endpoint.interval, PROMETHEUS_DURATION, `${where}: interval`);
    }
  }
  if (obj.kind === 'PrometheusRule') {
    assert.ok(obj.spec.groups.length > 0, `${where} has groups`);
    for (const group of obj.spec.groups) {
      assert.ok(group.rules.length > 0, `${where}: group ${group.name} has rules`);
      for (const rule of group.rules) {
        assert.equal(Number(rule.alert !== undefined) + Number(rule.record !== undefined), 1, `${where}: a rule is an alert or a record`);
        if (rule.for !== undefined) assert.match(rule.for, PROMETHEUS_DURATION, `${where}: ${rule.alert} for`);
      }
    }
  }
  if (obj.kind === 'Certificate') {
    for (const key of ['duration', 'renewBefore'] as const) {
      if (obj.spec[key] !== undefined) assert.match(obj.spec[key], CERT_MANAGER_DURATION, `${where}: ${key}`);
    }
  }
}

/** Runtime schema of every built-in object, and the CRD rules; throws naming the object. */
export function validateRuntime(obj: K8sObject): void {
  const model = MODELS[modelKey(obj)];
  if (!model) throw new Error(`no schema for ${modelKey(obj)} (${obj.metadata?.name}): add it to test/helm/validate-objects.ts`);
  assert.match(obj.metadata.name, DNS_SUBDOMAIN, `${obj.kind} name ${obj.metadata.name}`);
  assert.ok(obj.metadata.name.length <= 253, `${obj.kind} name ${obj.metadata.name} fits`);
  try {
    if (model.runtime) new model.runtime(obj).validate();
  } catch (error) {
    throw new Error(`${obj.kind}/${obj.metadata.name} fails the Kubernetes schema: ${(error as Error).message}`);
  }
  checkCrdRules(obj);
}

/**
 * Type-checks every object as a literal of its interface in one TypeScript program; returns one
 * message per problem, naming the object (an empty list: all clean).
 */
export function strictFieldProblems(objects: readonly { label: string; obj: K8sObject }[]): string[] {
  const file = join(REPO, 'test/helm/__rendered-objects__.mts');
  const imports = new Map<string, Set<string>>();
  const body: string[] = [];
  const starts: { offset: number; label: string }[] = [];
  let text = '';
  objects.forEach(({ label, obj }, i) => {
    const model = MODELS[modelKey(obj)];
    if (!model) throw new Error(`no schema for ${modelKey(obj)}`);
    const [module, typeName] = model.type;
    if (module) imports.set(module, (imports.get(module) ?? new Set()).add(typeName));
    body.push(`// ${label}\nexport const object${i}: ${typeName} = ${JSON.stringify(obj, null, 1)};\n`);
  });
  const header = [...imports].map(([module, names]) => `import type { ${[...names].join(', ')} } from '${module}';`).join('\n') + `\n${CRD_TYPES}\n`;
  text = header;
  body.forEach((chunk, i) => {
    starts.push({ offset: text.length, label: objects[i]!.label });
    text += chunk;
  });

  const options: ts.CompilerOptions = {
    target: ts.ScriptTarget.ES2022,
    module: ts.ModuleKind.NodeNext,
    moduleResolution: ts.ModuleResolutionKind.NodeNext,
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    lib: ['lib.es2022.d.ts'],
  };
  const host = ts.createCompilerHost(options);
  const original = host.getSourceFile.bind(host);
  host.getSourceFile = (name, version, onError, create) => (name === file ? ts.createSourceFile(name, text, version, true) : original(name, version, onError, create));
  const fileExists = host.fileExists.bind(host);
  host.fileExists = (name) => name === file || fileExists(name);
  const readFile = host.readFile.bind(host);
  host.readFile = (name) => (name === file ? text : readFile(name));
  const program = ts.createProgram([file], options, host);
  const source = program.getSourceFile(file)!;
  const diagnostics = [...program.getSyntacticDiagnostics(source), ...program.getSemanticDiagnostics(source)];
  return diagnostics.map((d) => {
    const owner = [...starts].reverse().find((s) => (d.start ?? 0) >= s.offset);
    const line = d.start !== undefined ? source.getLineAndCharacterOfPosition(d.start).line + 1 : 0;
    const snippet = d.start !== undefined ? text.slice(d.start, d.start + (d.length ?? 0)) : '';
    return `${owner?.label ?? 'header'}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')} (at ${snippet || `line ${line}`})`;
  });
}
