import type { HookConfig } from '../config/types.js';
import type { ProviderScheme, SchemeSettings } from '../verify/types.js';
import { SCHEMES } from '../verify/schemes.js';

/** A hook with everything the request path needs computed once at start (or reload). */
export interface CompiledHook {
  readonly config: HookConfig;
  readonly name: string;
  readonly scheme: ProviderScheme;
  readonly settings: SchemeSettings;
  readonly contentTypes: ReadonlySet<string>;
  readonly origins: ReadonlySet<string>;
  /** The forwarded path prefix, without a trailing slash. */
  readonly upstreamPath: string;
}

export function compileHook(config: HookConfig): CompiledHook {
  const scheme = SCHEMES[config.provider];
  // Config validation refuses providers without a scheme; reaching this is a bug.
  if (!scheme) throw new TypeError(`[hookguard] no verifier for provider ${config.provider}`);
  return {
    config,
    name: config.name,
    scheme,
    settings: Object.freeze({
      secrets: config.secrets,
      toleranceSeconds: config.toleranceSeconds,
      ...(config.publicUrl !== undefined ? { publicUrl: config.publicUrl } : {}),
      ...(config.hmac !== undefined ? { hmac: config.hmac } : {}),
    }),
    contentTypes: new Set(config.contentTypes),
    origins: new Set(config.origins),
    upstreamPath: config.upstreamPath,
  };
}
