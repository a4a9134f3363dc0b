import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import type { SecretRef } from './types.js';

export type SecretResolution = { ok: true; value: string } | { ok: false; message: string };

/**
 * Resolves a `{file}` or `{env}` reference. Surrounding whitespace is dropped: `echo secret > file`
 * and `kubectl create secret --from-file` differ by a trailing newline, and no provider's secret
 * starts or ends with whitespace. The message never contains the value.
 */
export function resolveSecret(ref: SecretRef, env: NodeJS.ProcessEnv = process.env, baseDir = process.cwd()): SecretResolution {
  let raw: string | undefined;
  if ('file' in ref) {
    try {
      // Relative paths are relative to the config file, as with Prometheus and most daemons.
      raw = readFileSync(resolve(baseDir, ref.file), 'utf8');
    } catch (error) {
      return { ok: false, message: `cannot read secret file ${ref.file}: ${(error as NodeJS.ErrnoException).code ?? 'unreadable'}` };
    }
  } else {
    raw = env[ref.env];
    if (raw === undefined) return { ok: false, message: `environment variable ${ref.env} is not set` };
  }
  const value = raw.trim();
  if (value.length === 0) return { ok: false, message: `${'file' in ref ? `secret file ${ref.file}` : `environment variable ${ref.env}`} is empty` };
  return { ok: true, value };
}
