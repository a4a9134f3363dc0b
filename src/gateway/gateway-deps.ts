import type { Logger } from 'pino';
import type { SidecarConfig } from '../config/types.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { RejectionLog } from '../observability/rejection-log.js';
import type { StateStore } from '../state/store.js';
import type { TokenSet } from '../state/token-set.js';
import type { RouteTable } from './route-table.js';
import type { Forwarder } from './forwarder.js';

/** What one config version gives the request path; swapped as a whole on reload. */
export interface Runtime {
  readonly config: SidecarConfig;
  readonly routes: RouteTable;
}

/** The valid URL tokens of every hook, kept current by the token store. */
export interface TokenBook {
  tokensOf(hook: string): TokenSet | undefined;
}

export interface Lifecycle {
  shuttingDown: boolean;
  inFlight: number;
}

export interface GatewayDeps {
  /** Read once per request: a reload replaces it without tearing a request in half. */
  readonly runtime: () => Runtime;
  readonly store: StateStore;
  readonly tokens: TokenBook;
  readonly metrics: GatewayMetrics;
  readonly logger: Logger;
  readonly rejections: RejectionLog;
  readonly forwarder: Forwarder;
  readonly lifecycle: Lifecycle;
  readonly nowSeconds: () => number;
}
