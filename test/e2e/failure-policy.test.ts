import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { KubeStatus } from './kube-client.js';
import { appPod, injectAnnotations, INJECTION_LABEL, isUntouched, PORT, podsPath, type Pod } from './pod-manifests.js';
import { RELEASE_NAMESPACE } from './render-chart.js';
import { startEnvironment, type E2eEnvironment } from './start-environment.js';

const OPTED_IN = 'shop';
const NOT_LABELLED = 'plain';

interface WebhookConfiguration {
  webhooks: { name: string; failurePolicy: string; clientConfig: { caBundle?: string } }[];
}

describe("the chart's webhook.failurePolicy when the injector is down", () => {
  let env: E2eEnvironment;

  before(async () => {
    env = await startEnvironment();
    await env.createNamespace(OPTED_IN, { [INJECTION_LABEL]: 'enabled' });
    await env.createNamespace(NOT_LABELLED);
    await env.createNamespace('kube-system', { [INJECTION_LABEL]: 'enabled' });
    await env.createNamespace(RELEASE_NAMESPACE, { [INJECTION_LABEL]: 'enabled' });
  });

  after(async () => {
    await env?.stop();
  });

  const configuration = async () =>
    (await env.kube.get<WebhookConfiguration>(`/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/${env.webhook.configurationName}`)).body.webhooks[0]!;

  describe('Fail (the default)', () => {
    before(async () => {
      assert.equal((await configuration()).failurePolicy, 'Fail');
      await env.injector.stop();
      await env.waitForWebhook('refused');
    });

    after(async () => {
      await env.injector.start();
    });

    // Every pod create in an opted-in namespace goes to the injector, annotated or not.
    for (const [what, annotations] of [
      ['an annotated pod', injectAnnotations()],
      ['a pod without annotations', {}],
    ] as const) {
      it(`refuses ${what} in an opted-in namespace with an error naming the webhook, and stores nothing`, async () => {
        const name = `down-${Object.keys(annotations).length}`;
        const created = await env.kube.create<KubeStatus>(podsPath(OPTED_IN), appPod(name, annotations));
        assert.equal(created.status, 500, JSON.stringify(created.body));
        assert.match(created.body.message ?? '', new RegExp(`failed calling webhook "${env.webhook.name.replaceAll('.', '\\.')}"`));
        assert.equal((await env.kube.get(`${podsPath(OPTED_IN)}/${name}`)).status, 404);
      });
    }

    for (const namespace of [NOT_LABELLED, 'kube-system', RELEASE_NAMESPACE]) {
      it(`still creates pods in ${namespace}, which never depends on the injector`, async () => {
        const created = await env.kube.create<Pod>(podsPath(namespace), appPod('while-down', injectAnnotations()));
        assert.equal(created.status, 201, JSON.stringify(created.body));
        assert.ok(isUntouched(created.body));
      });
    }
  });

  describe('Ignore (helm upgrade --set webhook.failurePolicy=Ignore)', () => {
    before(async () => {
      await env.upgrade({ 'webhook.failurePolicy': 'Ignore' });
    });

    it('keeps the caBundle that the chart\'s Job wrote, through the upgrade', async () => {
      const webhook = await configuration();
      assert.equal(webhook.failurePolicy, 'Ignore');
      assert.ok(webhook.clientConfig.caBundle, 'the upgrade dropped the caBundle');
    });

    it('still refuses a bad annotation while the injector is up: a denial is an answer, not a failure', async () => {
      await env.waitForWebhook('injected');
      const created = await env.kube.create<KubeStatus>(podsPath(OPTED_IN), appPod('bad-ignore', injectAnnotations({ [PORT]: '0' })));
      assert.equal(created.status, 400, JSON.stringify(created.body));
      assert.match(created.body.message ?? '', /denied the request: hookguard cannot inject its sidecar: hookguard\.io\/port/);
    });

    it('creates an annotated pod without the sidecar while the injector is down', async () => {
      await env.injector.stop();
      await env.waitForWebhook('created-untouched');
      const created = await env.kube.create<Pod>(podsPath(OPTED_IN), appPod('ignored', injectAnnotations()));
      assert.equal(created.status, 201, JSON.stringify(created.body));
      const stored = (await env.kube.get<Pod>(`${podsPath(OPTED_IN)}/ignored`)).body;
      assert.ok(isUntouched(stored), JSON.stringify(stored.spec));
    });

    it('injects again once the injector is back', async () => {
      await env.injector.start();
      await env.waitForWebhook('injected');
      const created = await env.kube.create<Pod>(podsPath(OPTED_IN), appPod('back', injectAnnotations()));
      assert.equal(created.status, 201, JSON.stringify(created.body));
      assert.ok(!isUntouched((await env.kube.get<Pod>(`${podsPath(OPTED_IN)}/back`)).body));
    });
  });
});
