import { isObject } from '../config/shape.js';
import { ConfigError } from '../config/problems.js';
import { readConfigFile } from '../config/read-config-file.js';
import { validateInjectorConfig } from '../injector/injector-config.js';
import { DEFAULT_INJECTOR_OPTIONS, type InjectorOptions } from '../injector/injector-options.js';

/**
 * `tls` is required by the injector, which serves HTTPS, but means nothing offline. A file written
 * just for `inject` (a `sidecar` section) may leave it out; a `tls` that is given is still checked,
 * so the injector's own file is validated exactly as the injector would.
 */
const UNUSED_TLS = Object.freeze({ certFile: '(unused by inject)', keyFile: '(unused by inject)' });

/**
 * The injector settings for `hookguard inject`: the built-in defaults, or the injector's config file
 * validated by the injector's own validator. Throws ConfigError naming every problem.
 *
 * The environment is deliberately not passed on: POD_NAMESPACE says where an injector pod runs,
 * and a CI job that happens to run in a pod must not make its own namespace "the injector's own",
 * whose pods are never injected. Only the file's `namespace` sets that, as the user wrote it.
 */
export function loadInjectOptions(configPath: string | undefined): InjectorOptions {
  if (configPath === undefined) return DEFAULT_INJECTOR_OPTIONS;
  const raw = readConfigFile(configPath);
  const withTls = isObject(raw) && (raw.tls === undefined || raw.tls === null) ? { ...raw, tls: UNUSED_TLS } : raw;
  const result = validateInjectorConfig(withTls, {});
  if (!result.ok) throw new ConfigError(result.problems, configPath);
  const { sidecar, ownNamespace } = result.config;
  return Object.freeze({ sidecar, ...(ownNamespace !== undefined && { ownNamespace }) });
}
