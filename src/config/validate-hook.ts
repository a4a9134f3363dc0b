import { resolve } from 'node:path';
import type { Problems } from './problems.js';
import type { HeaderRule, HookConfig, SecretRef } from './types.js';
import type { LockoutPolicy, RateWindow } from '../state/store.js';
import type { HmacSettings, ProviderName } from '../verify/types.js';
import { PROVIDERS } from '../verify/types.js';
import { EXPECTED_USER_AGENTS } from '../verify/expected-user-agents.js';
import { SCHEMES } from '../verify/schemes.js';
import { DEFAULT_CONTENT_TYPES } from '../verify/default-content-types.js';
import { SOURCE_PRESETS } from '../sources/presets.js';
import type { SourceMatcher } from '../net/source-matcher.js';
import { SharedCompilations } from './shared-compilations.js';
import { keyPath } from './key-path.js';
import { checkKeys, isObject, readEnum, readInteger, readString, readStringList, type Obj } from './shape.js';
import { readSecretRef } from './read-secret-ref.js';
import { resolveSecret } from './resolve-secret.js';
import {
  DEFAULT_DEDUPE_TTL_SECONDS,
  DEFAULT_LOCKOUT,
  DEFAULT_MAX_BODY_BYTES,
  DEFAULT_TOLERANCE_SECONDS,
  HOOK_NAME_PATTERN,
  MAX_MAX_BODY_BYTES,
  TOKEN_PATTERN,
} from './defaults.js';
import { validateHmac } from './validate-hmac.js';

const HOOK_KEYS = [
  'name', 'path', 'upstreamPath', 'provider', 'secrets', 'token', 'sources', 'headers', 'contentTypes',
  'origins', 'maxBodyBytes', 'toleranceSeconds', 'dedupe', 'rateLimit', 'lockout', 'publicUrl', 'hmac', 'userAgent',
] as const;

const PATH_PATTERN = /^\/[A-Za-z0-9._~!$&'()*+,;=:@%/-]*$/;
// RFC 7230 token characters: what a header name may be.
const HEADER_NAME_PATTERN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
const MEDIA_TYPE_PATTERN = /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/;

export interface HookContext {
  readonly env: NodeJS.ProcessEnv;
  /** Relative secret file paths resolve against this (the config file's folder). */
  readonly baseDir: string;
  /** Told the absolute path of every secret file read. */
  readonly onFile?: (file: string) => void;
  /** Patterns and CIDR lists shared by the hooks of one load (one of its own when absent). */
  readonly shared?: SharedCompilations;
}

/** Validates one entry of `hooks`, resolving its secrets. Returns undefined when it has problems. */
export function validateHook(raw: unknown, path: string, problems: Problems, context: HookContext): HookConfig | undefined {
  if (!isObject(raw)) {
    problems.add(path, 'must be a mapping with at least name, path and provider');
    return undefined;
  }
  const before = problems.list.length;
  const shared = context.shared ?? new SharedCompilations();
  checkKeys(raw, HOOK_KEYS, path, problems);
  const secretFiles: string[] = [];
  context = { ...context, onFile: (file: string) => secretFiles.push(file) };

  const name = readString(raw, 'name', path, problems, true);
  if (name !== undefined && !HOOK_NAME_PATTERN.test(name)) problems.add(keyPath(path, 'name'), 'must match [a-z0-9-]+ (it is a metric label), at most 63 characters');

  const hookPath = readPath(raw, 'path', path, problems, true);
  const upstreamPath = readPath(raw, 'upstreamPath', path, problems, false) ?? hookPath;

  const provider = readEnum(raw, 'provider', path, problems, PROVIDERS);
  if (raw.provider === undefined) problems.add(keyPath(path, 'provider'), `is required (one of: ${PROVIDERS.join(', ')})`);
  if (provider !== undefined && SCHEMES[provider] === undefined) problems.add(keyPath(path, 'provider'), `"${provider}" is not supported yet by this build`);

  const secrets = readSecrets(raw, path, problems, context, provider);
  const token = readToken(raw, path, problems, context);
  if (provider === 'none' && raw.token === undefined) {
    problems.add(keyPath(path, 'token'), 'is required when provider is none: an unauthenticated hook is a mistake, not a choice');
  }

  const { matcher: sources, presets: sourcePresets } = readSources(raw, path, problems, shared);
  const headers = readHeaders(raw, path, problems, shared);
  const contentTypes = readContentTypes(raw, path, problems) ?? (provider ? [...DEFAULT_CONTENT_TYPES[provider]] : []);
  const origins = readOrigins(raw, path, problems);
  const maxBodyBytes = readInteger(raw, 'maxBodyBytes', path, problems, 1, MAX_MAX_BODY_BYTES) ?? DEFAULT_MAX_BODY_BYTES;
  const toleranceSeconds = readInteger(raw, 'toleranceSeconds', path, problems, 1, 86_400) ?? DEFAULT_TOLERANCE_SECONDS;
  const dedupe = readDedupe(raw, path, problems);
  const { perSource, perHook } = readRateLimit(raw, path, problems);
  const lockout = readLockout(raw, path, problems);
  const userAgent = readUserAgent(raw, path, problems, provider, shared);

  let publicUrl: string | undefined;
  if (raw.publicUrl !== undefined) {
    publicUrl = readString(raw, 'publicUrl', path, problems);
    if (publicUrl !== undefined && !/^https?:\/\/[^/\s]+(\/\S*)?$/.test(publicUrl)) problems.add(keyPath(path, 'publicUrl'), 'must be an absolute http(s) URL, for example https://hooks.example.com/hooks/twilio');
  } else if (provider === 'twilio') {
    problems.add(keyPath(path, 'publicUrl'), 'is required for twilio: the URL Twilio called, which the sidecar cannot see behind a proxy');
  }

  let hmac: HmacSettings | undefined;
  if (raw.hmac !== undefined) {
    if (provider !== 'hmac') problems.add(keyPath(path, 'hmac'), 'is only read when provider is hmac');
    hmac = validateHmac(raw.hmac, keyPath(path, 'hmac'), problems);
  } else if (provider === 'hmac') {
    problems.add(keyPath(path, 'hmac'), 'is required when provider is hmac: {header, algorithm, encoding}');
  }

  const scheme = provider === undefined ? undefined : SCHEMES[provider];
  if (scheme?.settingsProblems && problems.list.length === before) {
    const settings = { secrets, toleranceSeconds, ...(publicUrl !== undefined ? { publicUrl } : {}), ...(hmac !== undefined ? { hmac } : {}) };
    // Each scheme's settings problems concern one key: its URL (twilio), its template (hmac) or its secrets.
    const key = provider === 'twilio' ? 'publicUrl' : provider === 'hmac' ? 'hmac' : 'secrets';
    for (const message of scheme.settingsProblems(settings)) problems.add(keyPath(path, key), message);
  }

  if (problems.list.length > before || name === undefined || hookPath === undefined || provider === undefined) return undefined;
  return {
    name,
    path: hookPath,
    upstreamPath: upstreamPath ?? hookPath,
    provider,
    secrets,
    ...(token !== undefined ? { token } : {}),
    ...(sources !== undefined ? { sources } : {}),
    sourcePresets,
    headers,
    contentTypes,
    origins,
    maxBodyBytes,
    toleranceSeconds,
    ...(dedupe !== undefined ? { dedupe } : {}),
    limits: { hook: name, ...(perSource ? { perSource } : {}), ...(perHook ? { perHook } : {}), ...(lockout ? { lockout } : {}) },
    ...(publicUrl !== undefined ? { publicUrl } : {}),
    ...(hmac !== undefined ? { hmac } : {}),
    ...(userAgent !== undefined ? { userAgent } : {}),
    secretFiles,
  };
}

/** `userAgent`: absent = the provider's known pattern, logged only; a string or {pattern, reject}; false = off. */
function readUserAgent(raw: Obj, path: string, problems: Problems, provider: ProviderName | undefined, shared: SharedCompilations): { pattern: RegExp; reject: boolean } | undefined {
  const value = raw.userAgent;
  const known = provider ? EXPECTED_USER_AGENTS[provider] : undefined;
  if (value === false) return undefined;
  if (value === undefined) return known ? { pattern: known, reject: false } : undefined;
  const at = keyPath(path, 'userAgent');
  const spec = typeof value === 'string' ? { pattern: value } : value;
  if (!isObject(spec)) {
    problems.add(at, 'must be a regular expression string, {pattern, reject} or false');
    return undefined;
  }
  checkKeys(spec, ['pattern', 'reject'], at, problems);
  if (spec.reject !== undefined && typeof spec.reject !== 'boolean') problems.add(keyPath(at, 'reject'), 'must be true or false');
  let pattern = known;
  if (spec.pattern !== undefined) {
    try {
      pattern = shared.pattern(String(spec.pattern));
    } catch (error) {
      problems.add(keyPath(at, 'pattern'), `is not a valid regular expression: ${(error as Error).message}`);
      return undefined;
    }
  }
  if (!pattern) {
    problems.add(keyPath(at, 'pattern'), `is required: provider ${provider ?? '?'} has no known User-Agent`);
    return undefined;
  }
  return { pattern, reject: spec.reject === true };
}

function readPath(raw: Obj, key: string, path: string, problems: Problems, required: boolean): string | undefined {
  const value = readString(raw, key, path, problems, required);
  if (value === undefined) return undefined;
  if (!PATH_PATTERN.test(value) || value.includes('//') || value.includes('/../') || value.endsWith('/..')) {
    problems.add(keyPath(path, key), 'must be an absolute URL path such as /hooks/github');
    return undefined;
  }
  if (value.length > 1 && value.endsWith('/')) {
    problems.add(keyPath(path, key), 'must not end with /');
    return undefined;
  }
  return value;
}

function readSecrets(raw: Obj, path: string, problems: Problems, context: HookContext, provider: ProviderName | undefined): string[] {
  const at = keyPath(path, 'secrets');
  const value = raw.secrets;
  if (value === undefined) {
    if (provider !== undefined && provider !== 'none') problems.add(at, `is required for provider ${provider}: a list of {file: PATH} or {env: NAME}`);
    return [];
  }
  if (!Array.isArray(value) || value.length === 0) {
    problems.add(at, 'must be a non-empty list of {file: PATH} or {env: NAME}');
    return [];
  }
  if (provider === 'none') problems.add(at, 'is not used by provider none (its only check is the URL token)');
  const out: string[] = [];
  value.forEach((item, index) => {
    const ref = readSecretRef(item, keyPath(at, index), problems);
    const resolved = ref && resolveAt(ref, keyPath(at, index), problems, context);
    if (resolved !== undefined) out.push(resolved);
  });
  return out;
}

function readToken(raw: Obj, path: string, problems: Problems, context: HookContext): string | undefined {
  if (raw.token === undefined) return undefined;
  const at = keyPath(path, 'token');
  const ref = readSecretRef(raw.token, at, problems);
  const token = ref && resolveAt(ref, at, problems, context);
  if (token !== undefined && !TOKEN_PATTERN.test(token)) {
    problems.add(at, 'the token must be 32 to 256 URL-safe characters [A-Za-z0-9_-] (for example: openssl rand -base64 33 | tr "+/" "-_")');
    return undefined;
  }
  return token;
}

function resolveAt(ref: SecretRef, at: string, problems: Problems, context: HookContext): string | undefined {
  if ('file' in ref) context.onFile?.(resolve(context.baseDir, ref.file));
  const result = resolveSecret(ref, context.env, context.baseDir);
  if (!result.ok) {
    problems.add(at, result.message);
    return undefined;
  }
  return result.value;
}

function readSources(raw: Obj, path: string, problems: Problems, shared: SharedCompilations): { matcher?: SourceMatcher; presets: string[] } {
  const at = keyPath(path, 'sources');
  const list = readStringList(raw, 'sources', path, problems);
  const presets: string[] = [];
  if (list === undefined || list.length === 0) return { presets };
  const cidrs: string[] = [];
  const origin: number[] = [];
  list.forEach((entry, index) => {
    if (Object.hasOwn(SOURCE_PRESETS, entry)) {
      presets.push(entry);
    } else if (/^[a-z][a-z0-9-]*$/.test(entry)) {
      problems.add(keyPath(at, index), `"${entry}" is not a provider with published ranges (known: ${Object.keys(SOURCE_PRESETS).join(', ')})`);
    } else {
      cidrs.push(entry);
      origin.push(index);
    }
  });
  if (cidrs.length === 0) return { presets };
  const { matcher, problems: bad } = shared.sources(cidrs);
  for (const problem of bad) problems.add(keyPath(at, origin[problem.index] ?? problem.index), problem.message);
  return { matcher, presets };
}

function readHeaders(raw: Obj, path: string, problems: Problems, shared: SharedCompilations): HeaderRule[] {
  const at = keyPath(path, 'headers');
  const value = raw.headers;
  if (value === undefined) return [];
  if (!isObject(value)) {
    problems.add(at, 'must map header names to regular expressions, for example {X-GitHub-Event: "^[a-z_]+$"}');
    return [];
  }
  const rules: HeaderRule[] = [];
  for (const [name, pattern] of Object.entries(value)) {
    if (!HEADER_NAME_PATTERN.test(name)) {
      problems.add(keyPath(at, name), 'is not a valid header name');
      continue;
    }
    if (typeof pattern !== 'string') {
      problems.add(keyPath(at, name), 'must be a regular expression string ("" or ".*" for any value)');
      continue;
    }
    try {
      rules.push({ name: name.toLowerCase(), displayName: name, pattern: shared.pattern(pattern) });
    } catch (error) {
      problems.add(keyPath(at, name), `is not a valid regular expression: ${(error as Error).message}`);
    }
  }
  return rules;
}

function readContentTypes(raw: Obj, path: string, problems: Problems): string[] | undefined {
  const list = readStringList(raw, 'contentTypes', path, problems);
  if (list === undefined) return undefined;
  if (list.length === 0) {
    problems.add(keyPath(path, 'contentTypes'), 'must list at least one media type (leave the key out for the provider default)');
    return undefined;
  }
  const out: string[] = [];
  list.forEach((type, index) => {
    const normal = type.trim().toLowerCase();
    if (!MEDIA_TYPE_PATTERN.test(normal)) problems.add(keyPath(keyPath(path, 'contentTypes'), index), `"${type}" is not a media type such as application/json (no parameters)`);
    else out.push(normal);
  });
  return out;
}

function readOrigins(raw: Obj, path: string, problems: Problems): string[] {
  const list = readStringList(raw, 'origins', path, problems) ?? [];
  list.forEach((origin, index) => {
    if (!/^https?:\/\/[^/\s]+$/.test(origin)) problems.add(keyPath(keyPath(path, 'origins'), index), `"${origin}" is not an origin such as https://app.example.com (scheme and host, no path)`);
  });
  return list;
}

function readDedupe(raw: Obj, path: string, problems: Problems): { ttlSeconds: number } | undefined {
  const value = raw.dedupe;
  if (value === false) return undefined;
  if (value === undefined) return { ttlSeconds: DEFAULT_DEDUPE_TTL_SECONDS };
  const at = keyPath(path, 'dedupe');
  if (!isObject(value)) {
    problems.add(at, 'must be {ttlSeconds: N} or false');
    return undefined;
  }
  checkKeys(value, ['ttlSeconds'], at, problems);
  return { ttlSeconds: readInteger(value, 'ttlSeconds', at, problems, 1, 30 * 86_400) ?? DEFAULT_DEDUPE_TTL_SECONDS };
}

function readWindow(value: unknown, at: string, problems: Problems): RateWindow | undefined {
  if (value === undefined) return undefined;
  if (!isObject(value)) {
    problems.add(at, 'must be {points: N, durationSeconds: N}');
    return undefined;
  }
  checkKeys(value, ['points', 'durationSeconds'], at, problems);
  const points = readInteger(value, 'points', at, problems, 1, 10_000_000);
  const durationSeconds = readInteger(value, 'durationSeconds', at, problems, 1, 86_400);
  if (value.points === undefined) problems.add(keyPath(at, 'points'), 'is required');
  if (value.durationSeconds === undefined) problems.add(keyPath(at, 'durationSeconds'), 'is required');
  return points !== undefined && durationSeconds !== undefined ? { points, durationSeconds } : undefined;
}

function readRateLimit(raw: Obj, path: string, problems: Problems): { perSource?: RateWindow; perHook?: RateWindow } {
  const value = raw.rateLimit;
  if (value === undefined) return {};
  const at = keyPath(path, 'rateLimit');
  if (!isObject(value)) {
    problems.add(at, 'must be {perSource: {points, durationSeconds}, perHook: {points, durationSeconds}}');
    return {};
  }
  checkKeys(value, ['perSource', 'perHook'], at, problems);
  const perSource = readWindow(value.perSource, keyPath(at, 'perSource'), problems);
  const perHook = readWindow(value.perHook, keyPath(at, 'perHook'), problems);
  return { ...(perSource ? { perSource } : {}), ...(perHook ? { perHook } : {}) };
}

function readLockout(raw: Obj, path: string, problems: Problems): LockoutPolicy | undefined {
  const value = raw.lockout;
  if (value === false) return undefined;
  if (value === undefined) return DEFAULT_LOCKOUT;
  const at = keyPath(path, 'lockout');
  if (!isObject(value)) {
    problems.add(at, 'must be {failures, windowSeconds, blockSeconds} or false');
    return undefined;
  }
  checkKeys(value, ['failures', 'windowSeconds', 'blockSeconds'], at, problems);
  return {
    failures: readInteger(value, 'failures', at, problems, 1, 1_000_000) ?? DEFAULT_LOCKOUT.failures,
    windowSeconds: readInteger(value, 'windowSeconds', at, problems, 1, 86_400) ?? DEFAULT_LOCKOUT.windowSeconds,
    blockSeconds: readInteger(value, 'blockSeconds', at, problems, 1, 30 * 86_400) ?? DEFAULT_LOCKOUT.blockSeconds,
  };
}
