import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import jsonpatch from 'fast-json-patch';
import { parse } from 'yaml';
import { loadSidecarConfig } from '../../src/config/load-sidecar-config.js';
import { validateInjectorConfig } from '../../src/injector/injector-config.js';
import { injectPod } from '../../src/injector/inject-pod.js';
import { ANNOTATION, CONFIG_FILE_KEY, CONFIG_MOUNT_PATH, SECRET_MOUNT_PATH, SIDECAR_CONTAINER_NAME } from '../../src/injector/injector-names.js';
import type { Pod } from '../../src/injector/pod-types.js';
import { assertValidPod, findPort } from '../injector/validate-pod.js';
import { find, parseObjects, render, REPO, type K8sObject } from '../helm/helm.js';
import { strictFieldProblems, validateRuntime } from '../helm/validate-objects.js';

const DIR = join(REPO, 'deploy/example');
const FILES = readdirSync(DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml').sort();
const OBJECTS = FILES.flatMap((file) => parseObjects(readFileSync(join(DIR, file), 'utf8')).map((obj) => ({ file, obj })));
const get = (kind: string) => OBJECTS.find((o) => o.obj.kind === kind)!.obj;

const scratch = mkdtempSync(join(tmpdir(), 'hookguard-example-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

/** The pod the Deployment's template makes, as the API server sends it to the injector. */
function podOf(deployment: K8sObject): Pod {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { ...structuredClone(deployment.spec.template.metadata), generateName: 'web-5d8f7c9b4-', namespace: deployment.metadata.namespace }, spec: structuredClone(deployment.spec.template.spec) } as Pod;
}

/** The injector config the chart renders by default. */
function chartInjectorConfig() {
  const configMap = find(render(), 'ConfigMap', 'hookguard-injector');
  const result = validateInjectorConfig(parse(configMap.data['injector.yaml']), { POD_NAMESPACE: 'hookguard' });
  assert.ok(result.ok);
  return result.config;
}

function injected(): { pod: any; sidecar: any } {
  const outcome = injectPod({ context: { operation: 'CREATE', kind: { group: '', version: 'v1', kind: 'Pod' }, namespace: 'shop' }, pod: podOf(get('Deployment')) }, chartInjectorConfig());
  assert.equal(outcome.result, 'injected', JSON.stringify(outcome));
  const pod = jsonpatch.applyPatch(podOf(get('Deployment')), structuredClone(outcome.patch) as jsonpatch.Operation[], true).newDocument as any;
  const sidecar = [...(pod.spec.initContainers ?? []), ...pod.spec.containers].find((c: any) => c.name === SIDECAR_CONTAINER_NAME);
  return { pod, sidecar };
}

describe('deploy/example', () => {
  it('holds valid Kubernetes objects with no unknown fields', () => {
    assert.deepEqual(OBJECTS.map((o) => o.obj.kind).sort(), ['ConfigMap', 'Deployment', 'Namespace', 'NetworkPolicy', 'Secret', 'Service']);
    for (const { obj } of OBJECTS) validateRuntime(obj);
    assert.deepEqual(strictFieldProblems(OBJECTS.map(({ file, obj }) => ({ label: `deploy/example/${file}`, obj }))), []);
  });

  it('lists every file in its kustomization', () => {
    const kustomization = parse(readFileSync(join(DIR, 'kustomization.yaml'), 'utf8'));
    assert.deepEqual([...kustomization.resources].sort(), FILES);
  });

  it('opts its namespace in, and keeps everything in it', () => {
    const namespace = get('Namespace');
    assert.equal(namespace.metadata.labels!['hookguard.io/injection'], 'enabled');
    for (const { obj } of OBJECTS.filter((o) => o.obj.kind !== 'Namespace')) assert.equal(obj.metadata.namespace, namespace.metadata.name);
  });

  it('annotates the pod template, not the Deployment, with its ConfigMap and Secret', () => {
    const deployment = get('Deployment');
    assert.equal(deployment.metadata.annotations, undefined);
    const annotations = deployment.spec.template.metadata.annotations;
    assert.equal(annotations[ANNOTATION.inject], 'true');
    assert.equal(annotations[ANNOTATION.config], get('ConfigMap').metadata.name);
    assert.equal(annotations[ANNOTATION.secret], get('Secret').metadata.name);
  });

  it('gets a valid pod from the chart\'s injector, and its Service reaches the sidecar, not the app', () => {
    const { pod, sidecar } = injected();
    assertValidPod(pod);
    const service = get('Service');
    const reached = findPort(pod, service.spec.ports[0].targetPort);
    assert.equal(reached, 8080, 'the Service targets the sidecar');
    assert.ok(sidecar.args.includes('http://127.0.0.1:3000'), 'the sidecar forwards to the app');
    assert.equal(pod.spec.containers[0].readinessProbe.httpGet.port, 'app-http', "the app's own probe follows its renamed port");
  });

  it('has the Secret keys the injected sidecar and the hooks config read', () => {
    const { sidecar } = injected();
    const secret = get('Secret');
    const password = sidecar.env.find((e: any) => e.name === 'HOOKGUARD_REDIS_PASSWORD').valueFrom.secretKeyRef;
    assert.equal(password.name, secret.metadata.name);
    assert.ok(password.key in secret.stringData, `the Secret has ${password.key}`);
    const config = parse(get('ConfigMap').data[CONFIG_FILE_KEY]);
    for (const hook of config.hooks) {
      for (const ref of hook.secrets) {
        assert.ok(ref.file.startsWith(`${SECRET_MOUNT_PATH}/`));
        assert.ok(ref.file.slice(SECRET_MOUNT_PATH.length + 1) in secret.stringData, `the Secret has ${ref.file}`);
      }
    }
    assert.deepEqual(config.redis.password, { env: 'HOOKGUARD_REDIS_PASSWORD' });
  });

  it('has a hooks config the sidecar starts with, given the injected flags, environment and secret files', () => {
    const { sidecar } = injected();
    const secret = get('Secret');
    const configText = get('ConfigMap').data[CONFIG_FILE_KEY] as string;
    // The mounted files, in a temp folder standing in for /etc/hookguard/secrets and /etc/hookguard/config.
    const secretsDir = mkdtempSync(join(scratch, 'secrets-'));
    for (const [key, value] of Object.entries(secret.stringData as Record<string, string>)) writeFileSync(join(secretsDir, key), value);
    const configFile = join(scratch, CONFIG_FILE_KEY);
    writeFileSync(configFile, configText.replaceAll(`${SECRET_MOUNT_PATH}/`, `${secretsDir}/`));
    assert.equal(sidecar.args[2], `${CONFIG_MOUNT_PATH}/${CONFIG_FILE_KEY}`);
    const flag = (name: string) => sidecar.args[sidecar.args.indexOf(name) + 1];
    const env = { HOOKGUARD_REDIS_URL: sidecar.env.find((e: any) => e.name === 'HOOKGUARD_REDIS_URL').value, HOOKGUARD_REDIS_PASSWORD: secret.stringData['redis-password'] };
    const config = loadSidecarConfig(configFile, { listen: flag('--listen'), upstream: flag('--upstream'), admin: flag('--admin') }, env);
    assert.deepEqual(config.hooks.map((h) => h.name), ['github', 'gitlab']);
    assert.equal(config.redis?.mode, 'url');
    assert.equal(config.redis?.mode === 'url' && config.redis.url, 'redis://hookguard-redis.hookguard.svc:6379', "the chart's bundled Redis");
    assert.equal(config.upstream.origin, 'http://127.0.0.1:3000');
  });

  it("closes the app's own port to the cluster and opens the sidecar's", () => {
    const policy = get('NetworkPolicy');
    const deployment = get('Deployment');
    assert.deepEqual(policy.spec.podSelector.matchLabels, deployment.spec.selector.matchLabels);
    const ports = policy.spec.ingress.flatMap((rule: any) => rule.ports.map((p: any) => p.port));
    assert.deepEqual(ports.sort(), [8080, 9102]);
    assert.ok(!ports.includes(3000));
  });
});
