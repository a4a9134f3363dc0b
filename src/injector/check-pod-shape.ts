import { isObject } from '../config/shape.js';
import type { Pod } from './pod-types.js';

function isAbsent(value: unknown): boolean {
  return value === undefined || value === null;
}

function optionalString(value: unknown): boolean {
  return isAbsent(value) || typeof value === 'string';
}

function checkPortAction(holder: unknown, path: string): string | undefined {
  if (isAbsent(holder)) return undefined;
  if (!isObject(holder)) return `${path} must be an object`;
  for (const handler of ['httpGet', 'tcpSocket']) {
    const action = holder[handler];
    if (isAbsent(action)) continue;
    if (!isObject(action)) return `${path}.${handler} must be an object`;
    const port = action.port;
    if (!isAbsent(port) && typeof port !== 'number' && typeof port !== 'string') return `${path}.${handler}.port must be a number or a name`;
  }
  return undefined;
}

function checkContainer(container: unknown, path: string): string | undefined {
  if (!isObject(container)) return `${path} must be an object`;
  if (typeof container.name !== 'string') return `${path}.name must be a string`;
  const ports = container.ports;
  if (!isAbsent(ports)) {
    if (!Array.isArray(ports)) return `${path}.ports must be a list`;
    for (const [i, port] of ports.entries()) {
      const at = `${path}.ports[${i}]`;
      if (!isObject(port)) return `${at} must be an object`;
      if (!Number.isInteger(port.containerPort)) return `${at}.containerPort must be an integer`;
      if (!optionalString(port.name) || !optionalString(port.protocol)) return `${at}.name and .protocol must be strings`;
    }
  }
  for (const probe of ['livenessProbe', 'readinessProbe', 'startupProbe']) {
    const problem = checkPortAction(container[probe], `${path}.${probe}`);
    if (problem !== undefined) return problem;
  }
  const lifecycle = container.lifecycle;
  if (isAbsent(lifecycle)) return undefined;
  if (!isObject(lifecycle)) return `${path}.lifecycle must be an object`;
  return checkPortAction(lifecycle.postStart, `${path}.lifecycle.postStart`) ?? checkPortAction(lifecycle.preStop, `${path}.lifecycle.preStop`);
}

function checkList(value: unknown, path: string, each: (item: unknown, at: string) => string | undefined): string | undefined {
  if (isAbsent(value)) return undefined;
  if (!Array.isArray(value)) return `${path} must be a list`;
  for (const [i, item] of value.entries()) {
    const problem = each(item, `${path}[${i}]`);
    if (problem !== undefined) return problem;
  }
  return undefined;
}

function checkVolume(volume: unknown, at: string): string | undefined {
  return isObject(volume) && typeof volume.name === 'string' ? undefined : `${at}.name must be a string`;
}

/**
 * Checks the types of the fields the injection steps read, so that they can trust them. Nothing
 * else: the API server validates the pod after the webhooks ran. Returns the first problem.
 */
export function checkPodShape(value: unknown): { readonly ok: true; readonly pod: Pod } | { readonly ok: false; readonly reason: string } {
  const fail = (reason: string) => ({ ok: false as const, reason });
  if (!isObject(value)) return fail('object must be an object');
  const metadata = value.metadata;
  if (!isAbsent(metadata)) {
    if (!isObject(metadata)) return fail('object.metadata must be an object');
    if (!optionalString(metadata.name) || !optionalString(metadata.generateName) || !optionalString(metadata.namespace)) {
      return fail('object.metadata.name, .generateName and .namespace must be strings');
    }
    const annotations = metadata.annotations;
    if (!isAbsent(annotations) && (!isObject(annotations) || !Object.values(annotations).every((v) => typeof v === 'string'))) {
      return fail('object.metadata.annotations must map strings to strings');
    }
  }
  const spec = value.spec;
  if (!isObject(spec)) return fail('object.spec must be an object');
  const problem =
    checkList(spec.containers, 'object.spec.containers', checkContainer) ??
    checkList(spec.initContainers, 'object.spec.initContainers', checkContainer) ??
    checkList(spec.volumes, 'object.spec.volumes', checkVolume);
  return problem === undefined ? { ok: true, pod: value as Pod } : fail(problem);
}
