import { dirname } from 'node:path';
import type { SidecarConfig } from './types.js';
import { ConfigError } from './problems.js';
import { readConfigFile } from './read-config-file.js';
import { applyOverrides, overridesFromEnv, type Overrides } from './apply-overrides.js';
import { validateSidecarConfig } from './validate-sidecar-config.js';

/**
 * Reads, overrides and validates the sidecar config. Flags win over the environment, which wins
 * over the file. Throws ConfigError with every problem.
 */
export function loadSidecarConfig(path: string, flags: Overrides = {}, env: NodeJS.ProcessEnv = process.env): SidecarConfig {
  const raw = applyOverrides(readConfigFile(path), { ...overridesFromEnv(env), ...flags });
  const result = validateSidecarConfig(raw, env, dirname(path));
  if (!result.ok) throw new ConfigError(result.problems, path);
  return result.config;
}
