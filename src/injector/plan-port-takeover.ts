import { RENAMED_PORT_PREFIX } from './injector-names.js';
import type { Container, Pod } from './pod-types.js';

/** A replacement of one string field, addressed from the pod's root. */
export interface FieldEdit {
  readonly path: readonly (string | number)[];
  readonly value: string;
}

/**
 * The sidecar takes the app's port name so that Services with `targetPort: <name>` reach the
 * sidecar instead of the app. Kubernetes resolves a named targetPort by searching regular
 * containers before native sidecars, so the app's port must lose the name, not merely share it.
 */
export interface PortTakeover {
  /** The name the sidecar's listen port takes. */
  readonly name: string;
  /** The app's port's new name. */
  readonly renamedTo: string;
  readonly containerName: string;
  /** The rename itself, and the app's probes and hooks that addressed the port by its old name. */
  readonly edits: readonly FieldEdit[];
}

const MAX_PORT_NAME = 15;
const PROBES = ['livenessProbe', 'readinessProbe', 'startupProbe'] as const;
const LIFECYCLE_HOOKS = ['postStart', 'preStop'] as const;
const HANDLERS = ['httpGet', 'tcpSocket'] as const;

function allPortNames(pod: Pod): Set<string> {
  const containers = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? [])];
  return new Set(containers.flatMap((c) => (c.ports ?? []).map((p) => p.name ?? '')).filter((n) => n !== ''));
}

/**
 * `http` becomes `app-http`; a name that would pass 15 characters (the IANA_SVC_NAME limit) is cut,
 * and a name already in use gets `-2`, `-3`, ... so the pod stays valid whatever it declared.
 */
function renamedPort(name: string, taken: ReadonlySet<string>): string {
  const fit = (text: string, room: number): string => text.slice(0, room).replace(/-+$/, '');
  const base = fit(`${RENAMED_PORT_PREFIX}${name}`, MAX_PORT_NAME);
  if (!taken.has(base)) return base;
  for (let n = 2; ; n += 1) {
    const suffix = `-${n}`;
    const candidate = `${fit(base, MAX_PORT_NAME - suffix.length)}${suffix}`;
    if (!taken.has(candidate)) return candidate;
  }
}

function portRefEdits(container: Container, index: number, name: string, value: string): FieldEdit[] {
  const edits: FieldEdit[] = [];
  const root = ['spec', 'containers', index];
  for (const probe of PROBES) {
    for (const handler of HANDLERS) {
      if (container[probe]?.[handler]?.port === name) edits.push({ path: [...root, probe, handler, 'port'], value });
    }
  }
  for (const hook of LIFECYCLE_HOOKS) {
    for (const handler of HANDLERS) {
      if (container.lifecycle?.[hook]?.[handler]?.port === name) edits.push({ path: [...root, 'lifecycle', hook, handler, 'port'], value });
    }
  }
  return edits;
}

/** Plans the takeover of the app's named TCP port `upstreamPort`; undefined when it has no name. */
export function planPortTakeover(pod: Pod, upstreamPort: number): PortTakeover | undefined {
  const containers = pod.spec?.containers ?? [];
  for (const [containerIndex, container] of containers.entries()) {
    for (const [portIndex, port] of (container.ports ?? []).entries()) {
      if (port.containerPort !== upstreamPort) continue;
      const tcp = port.protocol === undefined || port.protocol === 'TCP';
      if (!tcp || port.name === undefined || port.name === '') return undefined;
      const renamedTo = renamedPort(port.name, allPortNames(pod));
      return {
        name: port.name,
        renamedTo,
        containerName: container.name,
        edits: [
          { path: ['spec', 'containers', containerIndex, 'ports', portIndex, 'name'], value: renamedTo },
          ...portRefEdits(container, containerIndex, port.name, renamedTo),
        ],
      };
    }
  }
  return undefined;
}
