import { keyPath } from '../config/key-path.js';
import { ConfigError, Problems, type Problem } from '../config/problems.js';
import { readConfigFile } from '../config/read-config-file.js';
import { checkKeys, isObject, readString, type Obj } from '../config/shape.js';
import { parseHostPort, type HostPort } from '../net/parse-host-port.js';
import { DEFAULT_INJECTOR_OPTIONS, type InjectorOptions, type MaxResources, type SidecarRedis } from './injector-options.js';
import { parseQuantity, QUANTITY_EXAMPLES, type QuantityKind } from './parse-quantity.js';
import type { ResourceList, Resources } from './pod-types.js';

/** The `hookguard injector` config of CONTRACT.md, validated and frozen. */
export interface InjectorConfig extends InjectorOptions {
  readonly listen: HostPort;
  readonly admin: HostPort;
  readonly tls: { readonly certFile: string; readonly keyFile: string };
}

export const DEFAULT_INJECTOR_LISTEN = '0.0.0.0:8443';
export const DEFAULT_INJECTOR_ADMIN = '0.0.0.0:9102';

const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
// What the API server accepts as a Secret data key.
const SECRET_KEY = /^[-._a-zA-Z0-9]+$/;

function readAddress(obj: Obj, key: string, fallback: string, problems: Problems): HostPort | undefined {
  const text = readString(obj, key, '', problems) ?? fallback;
  const parsed = parseHostPort(text);
  if (typeof parsed === 'string') {
    problems.add(key, parsed);
    return undefined;
  }
  return parsed;
}

function readBoolean(obj: Obj, key: string, path: string, problems: Problems): boolean | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'boolean') problems.add(keyPath(path, key), 'must be true or false');
  return typeof value === 'boolean' ? value : undefined;
}

function readSection(obj: Obj, key: string, path: string, problems: Problems, allowed: readonly string[]): Obj | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  const at = keyPath(path, key);
  if (!isObject(value)) {
    problems.add(at, 'must be a mapping');
    return undefined;
  }
  checkKeys(value, allowed, at, problems);
  return value;
}

function readQuantity(obj: Obj, key: QuantityKind, path: string, problems: Problems): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  const text = typeof value === 'number' ? String(value) : value;
  if (typeof text === 'string' && parseQuantity(text, key) !== undefined) return text;
  problems.add(keyPath(path, key), `must be ${QUANTITY_EXAMPLES[key]}`);
  return undefined;
}

function readResourceList(obj: Obj, key: string, path: string, problems: Problems): ResourceList | undefined {
  const section = readSection(obj, key, path, problems, ['cpu', 'memory']);
  if (section === undefined) return undefined;
  const at = keyPath(path, key);
  const cpu = readQuantity(section, 'cpu', at, problems);
  const memory = readQuantity(section, 'memory', at, problems);
  return { ...(cpu !== undefined && { cpu }), ...(memory !== undefined && { memory }) };
}

/** `resources`, when given, replaces the defaults whole: what the file says is what pods get. */
function readResources(sidecar: Obj, max: MaxResources, problems: Problems): Resources {
  const path = 'sidecar.resources';
  const section = readSection(sidecar, 'resources', 'sidecar', problems, ['requests', 'limits']);
  const fallback = DEFAULT_INJECTOR_OPTIONS.sidecar.resources;
  const requests = section === undefined ? fallback.requests : readResourceList(section, 'requests', path, problems);
  const limits = section === undefined ? fallback.limits : readResourceList(section, 'limits', path, problems);
  for (const kind of ['cpu', 'memory'] as const) {
    const request = requests?.[kind];
    const limit = limits?.[kind];
    if (request !== undefined && limit !== undefined && parseQuantity(request, kind)! > parseQuantity(limit, kind)!) {
      problems.add(`${path}.requests.${kind}`, `${request} is above the limit ${limit}`);
    }
    for (const [list, value] of [['requests', request], ['limits', limit]] as const) {
      if (value !== undefined && parseQuantity(value, kind)! > parseQuantity(max[kind], kind)!) {
        problems.add(`${path}.${list}.${kind}`, `${value} is above sidecar.maxResources.${kind} ${max[kind]}`);
      }
    }
  }
  return { ...(requests !== undefined && { requests }), ...(limits !== undefined && { limits }) };
}

function readMaxResources(sidecar: Obj, problems: Problems): MaxResources {
  const section = readSection(sidecar, 'maxResources', 'sidecar', problems, ['cpu', 'memory']);
  const fallback = DEFAULT_INJECTOR_OPTIONS.sidecar.maxResources;
  if (section === undefined) return fallback;
  return {
    cpu: readQuantity(section, 'cpu', 'sidecar.maxResources', problems) ?? fallback.cpu,
    memory: readQuantity(section, 'memory', 'sidecar.maxResources', problems) ?? fallback.memory,
  };
}

function readRedis(sidecar: Obj, problems: Problems): SidecarRedis | undefined {
  const path = 'sidecar.redis';
  const section = readSection(sidecar, 'redis', 'sidecar', problems, ['url', 'passwordSecretName', 'passwordSecretKey']);
  if (section === undefined) return undefined;
  const url = readString(section, 'url', path, problems, true);
  if (url !== undefined && !/^rediss?:\/\/[^\s]+$/.test(url)) problems.add(`${path}.url`, 'must be a redis:// or rediss:// URL');
  if (url !== undefined && /^rediss?:\/\/[^/@]*:[^/@]*@/.test(url)) {
    // The URL lands in every pod spec in plain text; a password belongs in a Secret.
    problems.add(`${path}.url`, 'must not contain a password: use passwordSecretKey (and passwordSecretName)');
  }
  const name = readString(section, 'passwordSecretName', path, problems);
  const key = readString(section, 'passwordSecretKey', path, problems);
  if (name !== undefined && !DNS_SUBDOMAIN.test(name)) problems.add(`${path}.passwordSecretName`, 'must be a Secret name (lower-case letters, digits, "-" and ".")');
  if (key !== undefined && !SECRET_KEY.test(key)) problems.add(`${path}.passwordSecretKey`, 'must be a Secret key (letters, digits, "-", "_" and ".")');
  if (name !== undefined && key === undefined) problems.add(`${path}.passwordSecretKey`, 'is required when passwordSecretName is set');
  if (url === undefined) return undefined;
  return { url, ...(name !== undefined && { passwordSecretName: name }), ...(key !== undefined && { passwordSecretKey: key }) };
}

function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null && !Object.isFrozen(value)) {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/**
 * Validates a parsed injector config. Every problem is collected with its key path. The injector's
 * own namespace comes from POD_NAMESPACE (the downward API says where it really runs), else `namespace`.
 */
export type InjectorConfigResult = { readonly ok: true; readonly config: InjectorConfig } | { readonly ok: false; readonly problems: readonly Problem[] };

export function validateInjectorConfig(raw: unknown, env: NodeJS.ProcessEnv = {}): InjectorConfigResult {
  const problems = new Problems();
  if (!isObject(raw)) {
    problems.add('', 'the config must be a mapping');
    return { ok: false, problems: problems.list };
  }
  checkKeys(raw, ['listen', 'admin', 'tls', 'sidecar', 'namespace'], '', problems);
  const listen = readAddress(raw, 'listen', DEFAULT_INJECTOR_LISTEN, problems);
  const admin = readAddress(raw, 'admin', DEFAULT_INJECTOR_ADMIN, problems);

  const tls = readSection(raw, 'tls', '', problems, ['certFile', 'keyFile']);
  if (tls === undefined && raw.tls == null) problems.add('tls', 'is required: {certFile, keyFile}');
  const certFile = tls && readString(tls, 'certFile', 'tls', problems, true);
  const keyFile = tls && readString(tls, 'keyFile', 'tls', problems, true);

  const sidecar = readSection(raw, 'sidecar', '', problems, ['image', 'nativeSidecar', 'resources', 'maxResources', 'redis']);
  if (sidecar === undefined && raw.sidecar == null) problems.add('sidecar', 'is required: at least {image}');
  const image = sidecar && readString(sidecar, 'image', 'sidecar', problems, true);
  if (image !== undefined && /\s/.test(image)) problems.add('sidecar.image', 'must be an image reference without spaces');
  const nativeSidecar = sidecar && readBoolean(sidecar, 'nativeSidecar', 'sidecar', problems);
  const maxResources = readMaxResources(sidecar ?? {}, problems);
  const resources = readResources(sidecar ?? {}, maxResources, problems);
  const redis = readRedis(sidecar ?? {}, problems);

  const configured = readString(raw, 'namespace', '', problems);
  const ownNamespace = env.POD_NAMESPACE || configured;

  if (!problems.empty || !listen || !admin || !certFile || !keyFile || !image) return { ok: false, problems: problems.list };
  const config: InjectorConfig = {
    listen,
    admin,
    tls: { certFile, keyFile },
    sidecar: {
      image,
      nativeSidecar: nativeSidecar ?? DEFAULT_INJECTOR_OPTIONS.sidecar.nativeSidecar,
      resources,
      maxResources,
      ...(redis !== undefined && { redis }),
    },
    ...(ownNamespace !== undefined && { ownNamespace }),
  };
  return { ok: true, config: deepFreeze(config) };
}

/** Reads and validates the injector config file; throws ConfigError naming every problem. */
export function loadInjectorConfig(path: string, env: NodeJS.ProcessEnv = process.env): InjectorConfig {
  const result = validateInjectorConfig(readConfigFile(path), env);
  if (!result.ok) throw new ConfigError(result.problems, path);
  return result.config;
}
