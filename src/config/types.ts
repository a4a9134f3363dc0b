import type { HostPort } from '../net/parse-host-port.js';
import type { HmacSettings, ProviderName } from '../verify/types.js';
import type { HookLimits } from '../state/store.js';
import type { SourceMatcher } from '../net/source-matcher.js';

/** A `{file}` or `{env}` reference, as written in the config. */
export type SecretRef = { readonly file: string } | { readonly env: string };

export type RedisConfig =
  | { readonly mode: 'url'; readonly url: string; readonly onError: 'open' | 'closed'; readonly prefix: string; readonly password?: SecretRef; readonly commandTimeoutMs: number }
  | { readonly mode: 'sentinel'; readonly name: string; readonly nodes: readonly HostPort[]; readonly onError: 'open' | 'closed'; readonly prefix: string; readonly password?: SecretRef; readonly commandTimeoutMs: number }
  | { readonly mode: 'cluster'; readonly nodes: readonly HostPort[]; readonly onError: 'open' | 'closed'; readonly prefix: string; readonly password?: SecretRef; readonly commandTimeoutMs: number };

export interface HeaderRule {
  /** Lower-case header name. */
  readonly name: string;
  /** As written in the config, for messages. */
  readonly displayName: string;
  readonly pattern: RegExp;
}

export interface HookConfig {
  readonly name: string;
  readonly path: string;
  readonly upstreamPath: string;
  readonly provider: ProviderName;
  /** Resolved secret values (never logged). */
  readonly secrets: readonly string[];
  /** Resolved URL token, when the hook has one. */
  readonly token?: string;
  /** The hook's own CIDRs; undefined when it lists none. */
  readonly sources?: SourceMatcher;
  /** Provider presets in `sources`, looked up live (a refresher may update them). */
  readonly sourcePresets: readonly string[];
  readonly headers: readonly HeaderRule[];
  /** Lower-case media types (no parameters); never empty (config validation refuses an empty list). */
  readonly contentTypes: readonly string[];
  readonly origins: readonly string[];
  readonly maxBodyBytes: number;
  readonly toleranceSeconds: number;
  readonly dedupe?: { readonly ttlSeconds: number };
  readonly limits: HookLimits;
  readonly publicUrl?: string;
  readonly hmac?: HmacSettings;
  /** Expected User-Agent: a mismatch is logged as suspicious, and refused (400) when `reject`. */
  readonly userAgent?: { readonly pattern: RegExp; readonly reject: boolean };
  /** Absolute paths of the secret files this hook read (watched for live reload). */
  readonly secretFiles: readonly string[];
}

export interface Timeouts {
  /** Connecting to the app. */
  readonly upstreamConnectMs: number;
  /** Waiting for the app's answer (headers and body). GitHub gives up after 10 s, so the default is 9 s. */
  readonly upstreamMs: number;
  /** A client must finish sending its headers within this (slowloris guard). */
  readonly headersMs: number;
  /** A client must finish its whole request (headers and body) within this. */
  readonly requestMs: number;
  /** Idle keep-alive connections from providers are closed after this. */
  readonly keepAliveMs: number;
  /** How long SIGTERM waits for in-flight requests before exiting. */
  readonly shutdownMs: number;
}

export interface SidecarConfig {
  readonly listen: HostPort;
  readonly admin: HostPort;
  readonly upstream: URL;
  readonly trustedProxies?: SourceMatcher;
  readonly redis?: RedisConfig;
  readonly hooks: readonly HookConfig[];
  readonly timeouts: Timeouts;
  /** Concurrent requests above this are answered 503 at once. */
  readonly maxInFlight: number;
  /** Largest request head (request line and headers) accepted, in bytes. */
  readonly maxHeaderBytes: number;
  /**
   * Request body bytes held in memory at once, every request together. A request whose body would
   * pass it is answered 503 before its body is read (a chunked one counts as its maxBodyBytes until
   * it has arrived), so a burst of large deliveries cannot grow the process past its memory limit.
   */
  readonly maxBufferedBodyBytes: number;
  /** Fetch provider ranges on an interval; absent: the shipped presets are used as they are. */
  readonly presetRefresh?: { readonly intervalMs: number; readonly targets: readonly { readonly provider: string; readonly url: string }[] };
}
