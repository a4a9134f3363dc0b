import type { HookConfig, SidecarConfig } from './types.js';
import { Problems, type Problem } from './problems.js';
import { keyPath } from './key-path.js';
import { checkKeys, isObject, readInteger, readString, readStringList } from './shape.js';
import { parseHostPort, type HostPort } from '../net/parse-host-port.js';
import { compileSourceMatcher } from '../net/source-matcher.js';
import { validateHook, type HookContext } from './validate-hook.js';
import { SharedCompilations } from './shared-compilations.js';
import { validateRedis } from './validate-redis.js';
import { validateTimeouts } from './validate-timeouts.js';
import { validatePresetRefresh } from './validate-preset-refresh.js';
import { DEFAULT_ADMIN, DEFAULT_LISTEN, DEFAULT_MAX_BUFFERED_BODY_BYTES, DEFAULT_MAX_HEADER_BYTES, DEFAULT_MAX_IN_FLIGHT } from './defaults.js';

const TOP_KEYS = ['listen', 'admin', 'upstream', 'trustedProxies', 'redis', 'hooks', 'timeouts', 'maxInFlight', 'maxHeaderBytes', 'maxBufferedBodyBytes', 'presetRefresh'];

export type Validation = { ok: true; config: SidecarConfig } | { ok: false; problems: readonly Problem[] };

/**
 * Validates a parsed sidecar config (overrides already applied) into a frozen, typed object, or
 * every problem with its key path. Secret references are resolved here, once.
 */
export function validateSidecarConfig(raw: unknown, env: NodeJS.ProcessEnv = process.env, baseDir = process.cwd()): Validation {
  const problems = new Problems();
  if (!isObject(raw)) {
    problems.add('', 'the config must be a mapping with at least upstream and hooks');
    return { ok: false, problems: problems.list };
  }
  checkKeys(raw, TOP_KEYS, '', problems);
  const listen = readAddress(raw.listen ?? DEFAULT_LISTEN, 'listen', problems);
  const admin = readAddress(raw.admin ?? DEFAULT_ADMIN, 'admin', problems);
  if (listen && admin && listen.port === admin.port && listen.port !== 0) problems.add('admin', `must not use the same port as listen (${listen.port}): the admin port is never exposed through the Service`);
  const upstream = readUpstream(raw, problems);

  const proxyList = readStringList(raw, 'trustedProxies', '', problems);
  let trustedProxies;
  if (proxyList && proxyList.length > 0) {
    const compiled = compileSourceMatcher(proxyList);
    for (const bad of compiled.problems) problems.add(keyPath('trustedProxies', bad.index), bad.message);
    trustedProxies = compiled.matcher;
  }

  const redis = raw.redis === undefined || raw.redis === null ? undefined : validateRedis(raw.redis, 'redis', problems);
  const timeouts = validateTimeouts(raw.timeouts, 'timeouts', problems);
  const maxInFlight = readInteger(raw, 'maxInFlight', '', problems, 1, 100_000) ?? DEFAULT_MAX_IN_FLIGHT;
  const maxHeaderBytes = readInteger(raw, 'maxHeaderBytes', '', problems, 1_024, 1_048_576) ?? DEFAULT_MAX_HEADER_BYTES;
  const maxBufferedBodyBytes = readInteger(raw, 'maxBufferedBodyBytes', '', problems, 65_536, 2 ** 40) ?? DEFAULT_MAX_BUFFERED_BODY_BYTES;
  const hooks = readHooks(raw.hooks, problems, { env, baseDir, shared: new SharedCompilations() });
  for (const hook of hooks) {
    if (hook.maxBodyBytes > maxBufferedBodyBytes) {
      problems.add('maxBufferedBodyBytes', `${maxBufferedBodyBytes} is below the maxBodyBytes ${hook.maxBodyBytes} of hook "${hook.name}": its largest deliveries could never be read`);
    }
  }
  const presetRefresh = validatePresetRefresh(raw.presetRefresh, 'presetRefresh', problems);

  if (!problems.empty || !listen || !admin || !upstream) return { ok: false, problems: problems.list };
  const config: SidecarConfig = {
    listen,
    admin,
    upstream,
    ...(trustedProxies ? { trustedProxies } : {}),
    ...(redis ? { redis } : {}),
    hooks,
    timeouts,
    maxInFlight,
    maxHeaderBytes,
    maxBufferedBodyBytes,
    ...(presetRefresh ? { presetRefresh } : {}),
  };
  return { ok: true, config: deepFreeze(config) };
}

function readAddress(value: unknown, key: string, problems: Problems): HostPort | undefined {
  if (typeof value !== 'string') {
    problems.add(key, 'must be a "HOST:PORT" string');
    return undefined;
  }
  const parsed = parseHostPort(value);
  if (typeof parsed === 'string') {
    problems.add(key, parsed);
    return undefined;
  }
  return parsed;
}

function readUpstream(raw: Record<string, unknown>, problems: Problems): URL | undefined {
  const text = readString(raw, 'upstream', '', problems, true);
  if (text === undefined) return undefined;
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    problems.add('upstream', `"${text}" is not a URL such as http://127.0.0.1:3000`);
    return undefined;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') problems.add('upstream', 'must be an http:// or https:// URL');
  else if (url.pathname !== '/' || url.search !== '' || url.hash !== '') problems.add('upstream', 'must be scheme, host and port only; put paths in each hook\'s upstreamPath');
  else if (url.username || url.password) problems.add('upstream', 'must not carry credentials');
  else return url;
  return undefined;
}

function readHooks(value: unknown, problems: Problems, context: HookContext): HookConfig[] {
  if (!Array.isArray(value) || value.length === 0) {
    problems.add('hooks', 'must be a non-empty list of hooks');
    return [];
  }
  const hooks: { hook: HookConfig; index: number }[] = [];
  value.forEach((raw, index) => {
    const hook = validateHook(raw, keyPath('hooks', index), problems, context);
    if (hook) hooks.push({ hook, index });
  });
  checkHookClashes(hooks, problems);
  return hooks.map((entry) => entry.hook);
}

/** Names and paths must be unique, and no path may hide inside another hook's token space. */
function checkHookClashes(hooks: readonly { hook: HookConfig; index: number }[], problems: Problems): void {
  hooks.forEach(({ hook, index }, i) => {
    const at = keyPath('hooks', index);
    for (const { hook: other } of hooks.slice(0, i)) {
      if (other.name === hook.name) problems.add(keyPath(at, 'name'), `"${hook.name}" is already used by another hook`);
      if (other.path === hook.path) problems.add(keyPath(at, 'path'), `"${hook.path}" is already used by hook ${other.name}`);
      else if ((other.token && hook.path.startsWith(`${other.path}/`)) || (hook.token && other.path.startsWith(`${hook.path}/`))) {
        problems.add(keyPath(at, 'path'), `"${hook.path}" and the path of hook ${other.name} overlap, and one of them has a URL token (PATH/<token>)`);
      }
    }
  });
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !(value instanceof RegExp) && !(value instanceof URL) && !Object.isFrozen(value)) {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}
