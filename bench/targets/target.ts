/** A thing under load: where the load goes, and which processes count as "the proxy". */
export interface Target {
  readonly port: number;
  /** The proxy's processes (nginx: master and workers); empty for `direct`. */
  pids(): number[];
  /** hookguard's admin origin, for /metrics. */
  readonly adminOrigin?: string;
  stop(): Promise<void>;
}

/** The target cannot run in this environment (nginx not installed, no Redis store in this build). */
export class Unavailable extends Error {}
