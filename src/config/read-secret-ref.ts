import type { Problems } from './problems.js';
import type { SecretRef } from './types.js';
import { isObject } from './shape.js';

const INLINE_HINT = 'secrets are never written inline: use {file: /path/to/secret} or {env: VARIABLE}';

/** Reads a `{file}` / `{env}` reference; anything else (an inline string above all) is a problem. */
export function readSecretRef(value: unknown, path: string, problems: Problems): SecretRef | undefined {
  if (typeof value === 'string') {
    problems.add(path, INLINE_HINT);
    return undefined;
  }
  if (!isObject(value)) {
    problems.add(path, `must be {file: PATH} or {env: NAME}`);
    return undefined;
  }
  const keys = Object.keys(value);
  if (keys.length === 1 && typeof value.file === 'string' && value.file.length > 0) return { file: value.file };
  if (keys.length === 1 && typeof value.env === 'string' && /^[A-Za-z_][A-Za-z0-9_]*$/.test(value.env)) return { env: value.env };
  problems.add(path, `must be exactly one of {file: PATH} or {env: NAME}`);
  return undefined;
}
