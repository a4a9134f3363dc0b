import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeObject, KubeStatus } from './kube-client.js';
import {
  allContainers,
  appPod,
  CONFIG,
  INJECT,
  injectAnnotations,
  INJECTION_LABEL,
  isUntouched,
  NATIVE_SIDECAR,
  PORT,
  podsPath,
  STATUS,
  type Container,
  type Pod,
} from './pod-manifests.js';
import { RELEASE_NAMESPACE } from './render-chart.js';
import { startEnvironment, type E2eEnvironment } from './start-environment.js';

const OPTED_IN = 'shop';
const NOT_LABELLED = 'plain';
const OPTED_OUT = 'opted-out';

function sidecarOf(pod: Pod): Container {
  const sidecar = allContainers(pod).find((container) => container.name === 'hookguard');
  assert.ok(sidecar, `no hookguard container in ${JSON.stringify(pod.spec)}`);
  return sidecar;
}

describe('the injector behind a real kube-apiserver, installed from the chart', () => {
  let env: E2eEnvironment;

  before(async () => {
    env = await startEnvironment();
    await env.createNamespace(OPTED_IN, { [INJECTION_LABEL]: 'enabled' });
    await env.createNamespace(NOT_LABELLED);
    await env.createNamespace(OPTED_OUT, { [INJECTION_LABEL]: 'disabled' });
    // Opted in by label, so that only the chart's namespaceSelector keeps them out.
    await env.createNamespace('kube-system', { [INJECTION_LABEL]: 'enabled' });
    await env.createNamespace(RELEASE_NAMESPACE, { [INJECTION_LABEL]: 'enabled' });
  });

  after(async () => {
    await env?.stop();
  });

  it('stores an annotated pod with the native sidecar, the status annotation, the mounts and the hardened security context', async () => {
    const created = await env.kube.create<Pod>(podsPath(OPTED_IN), appPod('web', injectAnnotations()));
    assert.equal(created.status, 201, JSON.stringify(created.body));

    // What the API server stored (and so validated and defaulted), read back, not our answer.
    const stored = await env.kube.get<Pod>(`${podsPath(OPTED_IN)}/web`);
    assert.equal(stored.status, 200);
    const pod = stored.body;
    assert.equal(pod.metadata?.annotations?.[STATUS], 'injected');

    assert.deepEqual(pod.spec.containers.map((c) => c.name), ['web'], 'the app stays the only regular container');
    assert.deepEqual(pod.spec.initContainers?.map((c) => c.name), ['hookguard']);
    const sidecar = sidecarOf(pod);
    assert.equal(sidecar.restartPolicy, 'Always', 'a native sidecar is an init container with restartPolicy Always');
    assert.equal(sidecar.image, env.sidecarImage);
    assert.ok(sidecar.args?.includes('http://127.0.0.1:3000'), `the sidecar forwards to the app's port: ${JSON.stringify(sidecar.args)}`);

    assert.deepEqual(sidecar.securityContext, {
      runAsNonRoot: true,
      runAsUser: 65532,
      runAsGroup: 65532,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
      seccompProfile: { type: 'RuntimeDefault' },
    });

    assert.deepEqual(
      sidecar.volumeMounts?.filter((m) => m.name.startsWith('hookguard-')),
      [
        { name: 'hookguard-config', mountPath: '/etc/hookguard/config', readOnly: true },
        { name: 'hookguard-secrets', mountPath: '/etc/hookguard/secrets', readOnly: true },
      ],
    );
    const volumes = pod.spec.volumes ?? [];
    assert.equal(volumes.find((v) => v.name === 'hookguard-config')?.configMap?.name, 'web-hooks');
    assert.equal(volumes.find((v) => v.name === 'hookguard-secrets')?.secret?.secretName, 'web-secrets');

    // The sidecar takes over the app's named port, so a Service with targetPort: http reaches it.
    assert.deepEqual(sidecar.ports?.find((p) => p.name === 'http'), { name: 'http', containerPort: 8080, protocol: 'TCP' });
    const app = pod.spec.containers[0]!;
    assert.deepEqual(app.ports?.map((p) => p.name), ['app-http']);
    assert.equal(app.readinessProbe?.httpGet?.port, 'app-http');

    // Fields only the API server fills in: the injected container went through its defaulting.
    assert.equal(sidecar.terminationMessagePath, '/dev/termination-log');
    assert.equal(sidecar.imagePullPolicy, 'IfNotPresent');
  });

  it('adds a plain container, appended last, when the pod asks for hookguard.io/native-sidecar "false"', async () => {
    const created = await env.kube.create<Pod>(podsPath(OPTED_IN), appPod('web-plain', injectAnnotations({ [NATIVE_SIDECAR]: 'false' })));
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const pod = (await env.kube.get<Pod>(`${podsPath(OPTED_IN)}/web-plain`)).body;
    assert.deepEqual(pod.spec.containers.map((c) => c.name), ['web', 'hookguard']);
    assert.equal(pod.spec.initContainers, undefined);
    assert.equal(sidecarOf(pod).restartPolicy, undefined);
    assert.equal(pod.metadata?.annotations?.[STATUS], 'injected');
  });

  const untouched: { name: string; namespace: string; annotations: Record<string, string>; labels?: Record<string, string> }[] = [
    { name: 'a pod without hookguard.io/inject', namespace: OPTED_IN, annotations: { [CONFIG]: 'web-hooks' } },
    { name: 'a pod with hookguard.io/inject "false"', namespace: OPTED_IN, annotations: injectAnnotations({ [INJECT]: 'false' }) },
    { name: 'a pod in a namespace without the opt-in label', namespace: NOT_LABELLED, annotations: injectAnnotations() },
    { name: 'a pod in a namespace labelled hookguard.io/injection: disabled', namespace: OPTED_OUT, annotations: injectAnnotations() },
    { name: 'a pod in kube-system, even with the opt-in label', namespace: 'kube-system', annotations: injectAnnotations() },
    { name: "a pod in the injector's own namespace, even with the opt-in label", namespace: RELEASE_NAMESPACE, annotations: injectAnnotations() },
    { name: "one of the chart's own pods (label hookguard.io/system)", namespace: OPTED_IN, annotations: injectAnnotations(), labels: { 'hookguard.io/system': 'true' } },
  ];
  for (const [index, testCase] of untouched.entries()) {
    it(`stores ${testCase.name} exactly as written`, async () => {
      const manifest = appPod(`untouched-${index}`, testCase.annotations);
      manifest.metadata!.labels = { ...manifest.metadata!.labels, ...testCase.labels };
      const created = await env.kube.create<Pod>(podsPath(testCase.namespace), manifest);
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const pod = (await env.kube.get<Pod>(`${podsPath(testCase.namespace)}/untouched-${index}`)).body;
      assert.ok(isUntouched(pod), JSON.stringify(pod.spec));
      assert.deepEqual(pod.metadata?.annotations, testCase.annotations);
      assert.equal(pod.spec.initContainers, undefined);
      assert.deepEqual(pod.spec.containers.map((c) => [c.name, c.ports]), [['web', [{ name: 'http', containerPort: 3000, protocol: 'TCP' }]]]);
    });
  }

  const badAnnotations: { annotations: Record<string, string>; problem: string }[] = [
    { annotations: { [PORT]: 'http' }, problem: 'hookguard.io/port: "http" is not accepted; accepted values: a port number from 1 to 65535' },
    { annotations: { [INJECT]: 'yes' }, problem: 'hookguard.io/inject: "yes" is not accepted; accepted values: "true", "false"' },
    { annotations: { [NATIVE_SIDECAR]: 'True' }, problem: 'hookguard.io/native-sidecar: "True" is not accepted; accepted values: "true", "false"' },
  ];
  for (const [index, testCase] of badAnnotations.entries()) {
    it(`refuses the create with the injector's message for ${JSON.stringify(testCase.annotations)}, and stores nothing`, async () => {
      const name = `bad-${index}`;
      const created = await env.kube.create<KubeStatus>(podsPath(OPTED_IN), appPod(name, injectAnnotations(testCase.annotations)));
      assert.equal(created.status, 400, JSON.stringify(created.body));
      assert.equal(created.body.message, `admission webhook "${env.webhook.name}" denied the request: hookguard cannot inject its sidecar: ${testCase.problem}`);
      assert.equal((await env.kube.get(`${podsPath(OPTED_IN)}/${name}`)).status, 404);
    });
  }

  it('injects a dry-run create (?dryRun=All) and stores nothing', async () => {
    const created = await env.kube.create<Pod>(podsPath(OPTED_IN), appPod('dry-run', injectAnnotations()), { dryRun: true });
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal(created.body.metadata?.annotations?.[STATUS], 'injected');
    assert.equal(sidecarOf(created.body).restartPolicy, 'Always');
    assert.equal((await env.kube.get(`${podsPath(OPTED_IN)}/dry-run`)).status, 404);
  });

  it("stores a Deployment's pod template as written: admission sees pods, and no controller manager makes them here", async () => {
    const template = appPod('web-deployment', injectAnnotations());
    const deployment: KubeObject = {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'web-deployment' },
      spec: { replicas: 1, selector: { matchLabels: { app: 'web-deployment' } }, template: { metadata: template.metadata, spec: template.spec } },
    };
    const created = await env.kube.create(`/apis/apps/v1/namespaces/${OPTED_IN}/deployments`, deployment);
    assert.equal(created.status, 201, JSON.stringify(created.body));
    const stored = (await env.kube.get<{ spec: { template: Pod } }>(`/apis/apps/v1/namespaces/${OPTED_IN}/deployments/web-deployment`)).body;
    assert.ok(isUntouched({ ...stored.spec.template, spec: stored.spec.template.spec }), 'the template is not injected: the webhook only sees Pod creates');
    const pods = (await env.kube.get<{ items: Pod[] }>(`${podsPath(OPTED_IN)}?labelSelector=app%3Dweb-deployment`)).body;
    assert.deepEqual(pods.items, [], 'no ReplicaSet controller runs, so no Pod is made from the template');
  });

  it('accepts every object the chart renders (server-side dry run)', async () => {
    for (const object of env.rendered) {
      const collection = await env.paths.collection(object, RELEASE_NAMESPACE);
      let answer = await env.kube.create(collection, object, { dryRun: true });
      if (answer.status === 409) {
        // Made for real while installing (the hook objects, the Service); validate the chart's version as an update.
        const path = `${collection}/${object.metadata?.name}`;
        const current = await env.kube.get(path);
        answer = await env.kube.request('PUT', `${path}?dryRun=All`, { ...object, metadata: { ...object.metadata, resourceVersion: current.body.metadata?.resourceVersion } });
      }
      assert.ok(answer.status === 200 || answer.status === 201, `${object.kind} ${object.metadata?.name}: ${answer.status} ${JSON.stringify(answer.body)}`);
    }
  });
});
