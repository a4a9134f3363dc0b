/** One load run: where to send, what, how hard and for how long. Written to a JSON file for the drivers. */
export interface LoadSpec {
  readonly host: string;
  readonly port: number;
  /** Request paths, used in turn (several hooks, several URL tokens). */
  readonly paths: readonly string[];
  /** Static request headers; Content-Length and the delivery id are added per request. */
  readonly headers: Readonly<Record<string, string>>;
  /** Header that carries a unique value per request (replay protection answers repeats as duplicates). */
  readonly deliveryHeader: string;
  /** Unique per load run, so that no two requests of a whole bench run share a delivery id. */
  readonly deliveryPrefix: string;
  readonly bodyFile: string;
  readonly connections: number;
  readonly durationSeconds: number;
  /** Requests per second for an open-loop (fixed-rate) run; absent: closed loop, as fast as answered. */
  readonly rate?: number;
}

/** What a driver reports, plus the CPU time the driver itself used (it shares the machine). */
export interface LoadResult {
  readonly tool: 'wrk' | 'autocannon' | 'open-loop';
  /** Completed answers. */
  readonly requests: number;
  readonly ok2xx: number;
  readonly non2xx: number;
  /** Connection errors, resets and timeouts: requests that got no answer. */
  readonly errors: number;
  readonly seconds: number;
  readonly rps: number;
  readonly p50_ms: number | null;
  readonly p99_ms: number | null;
  readonly p999_ms: number | null;
  /** user + system CPU of the load generator process, from the OS (bash `times`). */
  readonly loaderCpuMicros: number;
}
