import { readFileSync } from 'node:fs';
import { freePort, startRedisServer, type RedisServer } from '../helpers/redis-harness.js';
import { FaultTimeline } from './fault-timeline.js';
import { PROVIDERS, type ProviderName } from './provider-kinds.js';
import { RecordingApp } from './recording-app.js';
import { ProviderSimulator } from './simulator.js';
import { startSidecarProcess, type SidecarProcess } from './sidecar-process.js';
import { Stage, sidecarConfig } from './stage.js';
import { judge, type Figures, type JudgeInput } from './verdict.js';

type JudgeExtras = Pick<JudgeInput, 'probedIds' | 'otherForgedIds'>;

export interface ChaosRunOptions {
  readonly suite: string;
  readonly redis?: { readonly onError: 'open' | 'closed' };
  readonly rateLimit?: object;
  readonly lockout?: object | false;
  /** Sidecar replicas behind one "Service": the simulator spreads attempts over them. */
  readonly replicas?: number;
  readonly ratePerSecond?: number;
  readonly forgedEvery?: number;
  readonly duplicateShare?: number;
}

/**
 * After a Redis restart, counted from the moment every sidecar is back on Redis (untilRedisUp): the
 * requests that began during the outage finish, and settles queued then are written.
 */
const REDIS_SETTLE_MS = 3_000;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * One chaos run: a recording app, optionally a Redis, sidecar processes in front, and the provider
 * simulator, all on 127.0.0.1. `close()` stops everything it started, whatever state the run is in.
 */
export class ChaosRun {
  readonly timeline = new FaultTimeline();
  readonly stage = new Stage();
  readonly sidecars: SidecarProcess[] = [];
  /** Sidecars replaced during the run, with their exit codes once drained. */
  readonly replaced: { readonly process: SidecarProcess; readonly exit: Promise<number | null> }[] = [];
  /** Each provider's active secret files (several during an overlap). */
  readonly secretFiles: Record<ProviderName, string[]> = { github: [], stripe: [], standard: [] };
  /** When Redis was really gone (from its death to the start of the new one). */
  readonly redisDown: { readonly from: number; readonly to: number }[] = [];
  app!: RecordingApp;
  redis: RedisServer | undefined;
  simulator!: ProviderSimulator;
  private generation = 0;

  private constructor(readonly options: ChaosRunOptions) {}

  static async start(options: ChaosRunOptions): Promise<ChaosRun> {
    const run = new ChaosRun(options);
    try {
      await run.setUp();
    } catch (error) {
      await run.close();
      throw error;
    }
    return run;
  }

  private async setUp(): Promise<void> {
    this.app = await RecordingApp.start(await freePort());
    if (this.options.redis) this.redis = await startRedisServer({ name: `chaos-${this.options.suite}` });
    const secrets = new Map<ProviderName, string>();
    for (const provider of PROVIDERS) {
      const secret = provider.newSecret();
      secrets.set(provider.name, secret);
      this.secretFiles[provider.name].push(this.stage.secret(`${provider.name}-${this.generation}`, secret));
    }
    this.writeConfig();
    for (let i = 0; i < (this.options.replicas ?? 1); i++) this.sidecars.push(await startSidecarProcess(this.stage.configPath));
    this.simulator = new ProviderSimulator({
      tag: this.options.suite,
      targets: this.sidecars.map((s) => s.url),
      providers: PROVIDERS,
      secrets,
      timeline: this.timeline,
      ratePerSecond: this.options.ratePerSecond ?? 30,
      forgedEvery: this.options.forgedEvery ?? 25,
      duplicateShare: this.options.duplicateShare ?? 0.03,
    });
  }

  config(): Record<string, unknown> {
    return sidecarConfig({
      upstream: this.app.url,
      secretFiles: this.secretFiles,
      ...(this.redis && this.options.redis ? { redis: { url: this.redis.url, onError: this.options.redis.onError } } : {}),
      ...(this.options.rateLimit ? { rateLimit: this.options.rateLimit } : {}),
      ...(this.options.lockout !== undefined ? { lockout: this.options.lockout } : {}),
    });
  }

  writeConfig(): void {
    this.stage.writeConfig(this.config());
  }

  /** Waits until every sidecar has applied `n` more config versions than `before`. */
  async configApplied(before: readonly number[], n = 1, timeoutMs = 10_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (this.sidecars.some((s, i) => s.events('config_applied') < (before[i] ?? 0) + n)) {
      if (Date.now() > deadline) throw new Error(`config not applied within ${timeoutMs} ms:\n${this.sidecars.map((s) => s.tail()).join('\n---\n')}`);
      await sleep(50);
    }
  }

  appliedCounts(): number[] {
    return this.sidecars.map((s) => s.events('config_applied'));
  }

  /**
   * A provider's secret rolled as the docs say: the new file is written and listed next to the
   * old one, the provider starts signing with the new secret only once every replica has both, then
   * the old one leaves the config and its file is removed.
   */
  async rotateSecret(provider: ProviderName): Promise<{ oldSecret: string; newSecret: string }> {
    const kind = PROVIDERS.find((p) => p.name === provider)!;
    const oldFile = this.secretFiles[provider][0]!;
    const oldSecret = readFileSync(oldFile, 'utf8').trim();
    const newSecret = kind.newSecret();
    this.generation++;
    const newFile = this.stage.secret(`${provider}-${this.generation}`, newSecret);
    let before = this.appliedCounts();
    this.secretFiles[provider] = [oldFile, newFile];
    this.writeConfig();
    await this.configApplied(before);
    this.simulator.useSecret(provider, newSecret);
    // Attempts signed with the old secret just before the switch are verified by now.
    await sleep(1_000);
    before = this.appliedCounts();
    this.secretFiles[provider] = [newFile];
    this.writeConfig();
    await this.configApplied(before);
    this.stage.removeFile(oldFile);
    return { oldSecret, newSecret };
  }

  /** Replaces sidecar `index` by a new process on the same port (a pod rollout). */
  async rollOut(index = 0): Promise<void> {
    await this.timeline.during(`rollout of sidecar ${index}`, async () => {
      // SIGTERM; once the old process has closed its listener (its `draining` line), the new one
      // takes the port while the old one finishes what it has, as the next pod would.
      const old = this.sidecars[index]!;
      this.replaced.push({ process: old, exit: old.terminate() });
      await old.waitForEvent('draining');
      this.sidecars[index] = await startSidecarProcess(this.stage.configPath, { listenPort: old.listenPort });
    });
  }

  /** SIGKILL to Redis, `downMs` without it (running `meanwhile`), then a fresh, empty Redis on the same port. */
  async killRedis(downMs: number, meanwhile?: () => Promise<void>): Promise<void> {
    await this.timeline.during(
      'redis killed',
      async () => {
        await this.redis!.kill();
        const from = Date.now();
        await Promise.all([sleep(downMs), meanwhile?.()]);
        this.redisDown.push({ from, to: Date.now() });
        await this.redis!.start();
        // The fault lasts until every sidecar is back on Redis: until then its claims still go to
        // its memory (onError: open), and on a busy machine its reconnection back-off can outlast
        // a fixed settling time, so that a duplicate sent "after the fault" met a record that only
        // that memory held (a doubled delivery the harness blamed on the sidecar).
        await this.untilRedisUp();
      },
      REDIS_SETTLE_MS,
    );
  }

  /** Until every sidecar's hookguard_redis_up gauge says 1 (its command connection is ready). */
  private async untilRedisUp(timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const upAt = (adminUrl: string) =>
      fetch(`${adminUrl}/metrics`).then(
        async (answer) => /^hookguard_redis_up 1$/m.test(await answer.text()),
        () => false,
      );
    while (!(await Promise.all(this.sidecars.map((s) => upAt(s.adminUrl)))).every(Boolean)) {
      if (Date.now() > deadline) throw new Error(`a sidecar was not back on Redis ${timeoutMs} ms after it restarted:\n${this.sidecars.map((s) => s.tail()).join('\n---\n')}`);
      await sleep(25);
    }
  }

  /** Stops sending, waits for every retry to end, and judges. */
  async finish(options: JudgeExtras & { settleMs?: number } = {}): Promise<Figures> {
    const settleMs = options.settleMs ?? 40_000;
    this.simulator.stop();
    const settled = await this.simulator.settle(settleMs);
    const figures = this.judge(options);
    if (!settled) figures.extra.push(`retries still planned after ${settleMs} ms`);
    return figures;
  }

  /** The figures as of now. */
  judge(extras: JudgeExtras = {}): Figures {
    return judge({
      suite: this.options.suite,
      simulator: this.simulator,
      app: this.app,
      timeline: this.timeline,
      ...(extras.probedIds ? { probedIds: extras.probedIds } : {}),
      ...(extras.otherForgedIds ? { otherForgedIds: extras.otherForgedIds } : {}),
    });
  }

  async close(): Promise<void> {
    this.simulator?.close();
    await Promise.all(this.sidecars.map((s) => s.kill()));
    await Promise.all(this.replaced.map((r) => r.process.kill()));
    await this.app?.close();
    await this.redis?.kill();
    this.stage.remove();
  }
}

