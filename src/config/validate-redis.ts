import type { Problems } from './problems.js';
import type { RedisConfig } from './types.js';
import type { HostPort } from '../net/parse-host-port.js';
import { parseHostPort } from '../net/parse-host-port.js';
import { keyPath } from './key-path.js';
import { checkKeys, isObject, readEnum, readInteger, readString } from './shape.js';
import { readSecretRef } from './read-secret-ref.js';
import { DEFAULT_REDIS_PREFIX, DEFAULT_REDIS_TIMEOUT_MS } from './defaults.js';

/** `redis`: exactly one of url, sentinel {name, nodes} or cluster {nodes}; onError open|closed. */
export function validateRedis(value: unknown, at: string, problems: Problems): RedisConfig | undefined {
  if (!isObject(value)) {
    problems.add(at, 'must be {url} or {sentinel: {name, nodes}} or {cluster: {nodes}}');
    return undefined;
  }
  checkKeys(value, ['url', 'sentinel', 'cluster', 'onError', 'prefix', 'password', 'timeoutMs'], at, problems);
  const onError = readEnum(value, 'onError', at, problems, ['open', 'closed'] as const) ?? 'open';
  const prefix = readString(value, 'prefix', at, problems) ?? DEFAULT_REDIS_PREFIX;
  if (!/^[A-Za-z0-9:_-]+$/.test(prefix)) problems.add(keyPath(at, 'prefix'), 'may hold only letters, digits, ":", "_" and "-"');
  const password = value.password === undefined ? undefined : readSecretRef(value.password, keyPath(at, 'password'), problems);
  const commandTimeoutMs = readInteger(value, 'timeoutMs', at, problems, 10, 10_000) ?? DEFAULT_REDIS_TIMEOUT_MS;
  const common = { onError, prefix, commandTimeoutMs, ...(password ? { password } : {}) };

  const modes = (['url', 'sentinel', 'cluster'] as const).filter((key) => value[key] !== undefined);
  if (modes.length !== 1) {
    problems.add(at, modes.length === 0 ? 'needs one of url, sentinel or cluster' : `takes one of url, sentinel or cluster, not ${modes.join(' and ')}`);
    return undefined;
  }
  if (modes[0] === 'url') {
    const url = readString(value, 'url', at, problems);
    if (url === undefined) return undefined;
    if (!/^rediss?:\/\/[^\s]+$/.test(url)) {
      problems.add(keyPath(at, 'url'), 'must be redis://HOST:PORT or rediss://HOST:PORT');
      return undefined;
    }
    return { mode: 'url', url, ...common };
  }
  const section = value[modes[0]!];
  const sat = keyPath(at, modes[0]!);
  if (!isObject(section)) {
    problems.add(sat, modes[0] === 'sentinel' ? 'must be {name, nodes: ["host:port", ...]}' : 'must be {nodes: ["host:port", ...]}');
    return undefined;
  }
  checkKeys(section, modes[0] === 'sentinel' ? ['name', 'nodes'] : ['nodes'], sat, problems);
  const nodes = readNodes(section.nodes, keyPath(sat, 'nodes'), problems);
  if (modes[0] === 'sentinel') {
    const name = readString(section, 'name', sat, problems, true);
    return name && nodes ? { mode: 'sentinel', name, nodes, ...common } : undefined;
  }
  return nodes ? { mode: 'cluster', nodes, ...common } : undefined;
}

function readNodes(value: unknown, at: string, problems: Problems): HostPort[] | undefined {
  if (!Array.isArray(value) || value.length === 0) {
    problems.add(at, 'must be a non-empty list of "host:port"');
    return undefined;
  }
  const nodes: HostPort[] = [];
  value.forEach((item, index) => {
    const parsed = typeof item === 'string' ? parseHostPort(item) : 'must be a "host:port" string';
    if (typeof parsed === 'string') problems.add(keyPath(at, index), parsed);
    else nodes.push(parsed);
  });
  return nodes.length === value.length ? nodes : undefined;
}
