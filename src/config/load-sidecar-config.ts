import { dirname } from 'node:path';
import type { SidecarConfig } from './types.js';
import { ConfigError } from './problems.js';
import { createHash } from 'node:crypto';
import { readConfigText } from './read-config-file.js';
import { applyOverrides, overridesFromEnv, type Overrides } from './apply-overrides.js';
import { validateSidecarConfig } from './validate-sidecar-config.js';

/**
 * Reads, overrides and validates the sidecar config. Flags win over the environment, which wins
 * over the file. Throws ConfigError with every problem.
 */
export function loadSidecarConfig(path: string, flags: Overrides = {}, env: NodeJS.ProcessEnv = process.env): SidecarConfig {
  return loadVersionedSidecarConfig(path, flags, env).config;
}

/**
 * Loads the config with a fingerprint of everything it was made from (the file's text and every
 * resolved secret), so a watcher can tell a real change from a touch. The fingerprint is a hash:
 * it can be logged without revealing a secret.
 */
export function loadVersionedSidecarConfig(path: string, flags: Overrides = {}, env: NodeJS.ProcessEnv = process.env): { config: SidecarConfig; fingerprint: string } {
  const { value, text } = readConfigText(path);
  const overrides = { ...overridesFromEnv(env), ...flags };
  const result = validateSidecarConfig(applyOverrides(value, overrides), env, dirname(path));
  if (!result.ok) throw new ConfigError(result.problems, path);
  const hash = createHash('sha256').update(text).update(JSON.stringify(overrides));
  for (const hook of result.config.hooks) hash.update(JSON.stringify([hook.name, hook.secrets, hook.token ?? '']));
  return { config: result.config, fingerprint: hash.digest('hex').slice(0, 16) };
}
