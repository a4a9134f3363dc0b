import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { planPortTakeover } from '../../src/injector/plan-port-takeover.js';
import type { Pod } from '../../src/injector/pod-types.js';

function podWithPorts(ports: unknown[], extra: Record<string, unknown> = {}): Pod {
  return { spec: { containers: [{ name: 'web', ports, ...extra }] } } as Pod;
}

describe('planPortTakeover', () => {
  it("takes the app port's name and renames the app port app-<name>", () => {
    const plan = planPortTakeover(podWithPorts([{ name: 'http', containerPort: 3000 }]), 3000);
    assert.deepEqual(plan, {
      name: 'http',
      renamedTo: 'app-http',
      containerName: 'web',
      edits: [{ path: ['spec', 'containers', 0, 'ports', 0, 'name'], value: 'app-http' }],
    });
  });

  const renames: [string, string[], string][] = [
    ['webhooks-public', [], 'app-webhooks-pu'],
    ['abcdefghijk-xyz', [], 'app-abcdefghijk'],
    ['abcdefghij-wxyz', [], 'app-abcdefghij'],
    ['http', ['app-http'], 'app-http-2'],
    ['http', ['app-http', 'app-http-2'], 'app-http-3'],
    ['webhooks-public', ['app-webhooks-pu'], 'app-webhooks-2'],
    ['webhooks-pu-b', ['app-webhooks-pu'], 'app-webhooks-2'],
  ];
  for (const [name, taken, expected] of renames) {
    it(`renames ${name} to ${expected} when ${JSON.stringify(taken)} are taken`, () => {
      const ports = [{ name, containerPort: 3000 }, ...taken.map((t, i) => ({ name: t, containerPort: 4000 + i }))];
      const plan = planPortTakeover(podWithPorts(ports), 3000);
      assert.equal(plan?.renamedTo, expected);
      assert.ok(expected.length <= 15 && !expected.endsWith('-'));
    });
  }

  it('rewrites the probes and hooks of the app container that named the port', () => {
    const probe = { httpGet: { path: '/h', port: 'http' } };
    const plan = planPortTakeover(
      podWithPorts([{ name: 'http', containerPort: 3000 }], {
        livenessProbe: probe,
        readinessProbe: { tcpSocket: { port: 'http' } },
        startupProbe: { httpGet: { port: 3000 } },
        lifecycle: { postStart: { httpGet: { port: 'http' } }, preStop: { tcpSocket: { port: 'other' } } },
      }),
      3000,
    );
    assert.deepEqual(
      plan?.edits.map((e) => e.path.join('.')),
      [
        'spec.containers.0.ports.0.name',
        'spec.containers.0.livenessProbe.httpGet.port',
        'spec.containers.0.readinessProbe.tcpSocket.port',
        'spec.containers.0.lifecycle.postStart.httpGet.port',
      ],
    );
  });

  it('leaves unnamed, UDP and undeclared ports alone', () => {
    assert.equal(planPortTakeover(podWithPorts([{ containerPort: 3000 }]), 3000), undefined);
    assert.equal(planPortTakeover(podWithPorts([{ name: 'dns', containerPort: 3000, protocol: 'UDP' }]), 3000), undefined);
    assert.equal(planPortTakeover(podWithPorts([{ name: 'http', containerPort: 3001 }]), 3000), undefined);
    assert.equal(planPortTakeover({ spec: { containers: null } } as Pod, 3000), undefined);
  });
});
