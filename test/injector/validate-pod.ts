import assert from 'node:assert/strict';
import { Pod } from 'kubernetes-models/v1';

type Obj = Record<string, any>;

// The API server's rules that the kubernetes-models schema does not encode (it checks types only).
const IANA_SVC_NAME = /^(?=.*[a-z])(?!.*--)[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'];

function namedPortsOf(container: Obj): Set<string> {
  return new Set((container.ports ?? []).map((p: Obj) => p.name).filter(Boolean));
}

/**
 * Validates a pod against the Kubernetes Pod schema (kubernetes-models 5.1, whose schema knows
 * `restartPolicy` on init containers) and against the API server's semantic rules the patch could
 * break: unique names, port name syntax, mounts of existing volumes, named probe ports.
 */
export function assertValidPod(pod: Obj): void {
  new Pod(pod as ConstructorParameters<typeof Pod>[0]).validate();
  const spec = pod.spec as Obj;
  const all: Obj[] = [...(spec.initContainers ?? []), ...spec.containers];
  const names = all.map((c) => c.name);
  assert.equal(new Set(names).size, names.length, `container names are unique: ${names.join(', ')}`);
  const volumes = (spec.volumes ?? []).map((v: Obj) => v.name as string);
  assert.equal(new Set(volumes).size, volumes.length, `volume names are unique: ${volumes.join(', ')}`);
  for (const volume of volumes) assert.match(volume, DNS_LABEL, `volume name ${volume}`);
  for (const container of all) {
    const portNames = (container.ports ?? []).map((p: Obj) => p.name).filter(Boolean) as string[];
    assert.equal(new Set(portNames).size, portNames.length, `port names unique in ${container.name}`);
    for (const name of portNames) {
      assert.ok(name.length <= 15 && IANA_SVC_NAME.test(name), `port name ${JSON.stringify(name)} is an IANA_SVC_NAME`);
    }
    for (const mount of container.volumeMounts ?? []) assert.ok(volumes.includes(mount.name), `mount ${mount.name} has a volume`);
    for (const probe of PROBES) {
      for (const handler of ['httpGet', 'tcpSocket']) {
        const port = container[probe]?.[handler]?.port;
        if (typeof port === 'string') assert.ok(namedPortsOf(container).has(port), `${container.name}.${probe} port ${port} is declared`);
      }
    }
  }
  for (const container of spec.containers as Obj[]) assert.equal(container.restartPolicy, undefined, 'regular containers carry no restartPolicy');
}

/** Kubernetes' FindPort: the container port a Service's named targetPort reaches in this pod. */
export function findPort(pod: Obj, name: string): number | undefined {
  for (const container of pod.spec.containers as Obj[]) {
    for (const port of container.ports ?? []) if (port.name === name && (port.protocol ?? 'TCP') === 'TCP') return port.containerPort;
  }
  for (const container of (pod.spec.initContainers ?? []) as Obj[]) {
    if (container.restartPolicy !== 'Always') continue;
    for (const port of container.ports ?? []) if (port.name === name && (port.protocol ?? 'TCP') === 'TCP') return port.containerPort;
  }
  return undefined;
}
