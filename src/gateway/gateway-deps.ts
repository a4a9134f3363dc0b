import type { Logger } from 'pino';
import type { HookConfig, SidecarConfig } from '../config/types.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { RejectionLog } from '../observability/rejection-log.js';
import type { PresetBook } from '../sources/preset-book.js';
import type { StateStore } from '../state/store.js';
import type { TokenSet } from '../state/token-set.js';
import type { RouteTable } from './route-table.js';
import type { Forwarder } from './forwarder.js';

/** What one config version gives the request path; swapped as a whole on reload. */
export interface Runtime {
  readonly config: SidecarConfig;
  readonly routes: RouteTable;
  readonly forwarder: Forwarder;
}

/** The valid URL tokens of every hook, answered from memory (no I/O on the request path). */
export interface TokenBook {
  tokensOf(hook: string): TokenSet | undefined;
}

/** A token book the sidecar owns: told about config changes (new seed tokens), closed at the end. */
export interface ManagedTokenBook extends TokenBook {
  update(hooks: readonly HookConfig[]): void;
  close(): Promise<void>;
}

export interface Lifecycle {
  shuttingDown: boolean;
  inFlight: number;
  /** Body bytes reserved by the requests in flight (maxBufferedBodyBytes; steps/read-body.ts). */
  bufferedBodyBytes: number;
}

export interface GatewayDeps {
  /** Read once per request: a reload replaces it without tearing a request in half. */
  readonly runtime: () => Runtime;
  readonly store: StateStore;
  readonly tokens: TokenBook;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly rejections: RejectionLog;
  /** Current provider address ranges (`sources: [github]`). */
  readonly presets: PresetBook;
  readonly lifecycle: Lifecycle;
  readonly nowSeconds: () => number;
}
