import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BenchOptions, ScenarioName } from './bench-options.js';
import type { Target } from './targets/target.js';
import { Unavailable } from './targets/target.js';
import { startApp } from './targets/start-app.js';
import { redisAvailable, startRedis, type RedisServer } from './targets/start-redis.js';
import { startNodeProxy } from './targets/start-node-proxy.js';
import { startNginx } from './targets/start-nginx.js';
import { startHookguard, type HookguardOptions } from './targets/start-hookguard.js';
import { writeHookguardConfig, type HookguardSetup, type HookguardShape } from './targets/hookguard-setup.js';
import type { ManagedProcess } from './targets/managed-process.js';
import { deliveryBody, githubHeaders } from './delivery.js';

export interface Body {
  readonly bytes: number;
  readonly file: string;
  readonly headers: Readonly<Record<string, string>>;
}

/** What lives for the whole run: the temp folder, the app, Redis, the bodies, the configs. */
export interface BenchContext {
  readonly workDir: string;
  readonly app: { readonly port: number; readonly process: ManagedProcess };
  readonly redis?: RedisServer;
  /** Why hookguard-redis cannot run, when it cannot (no redis-server, or no Redis store in this build). */
  readonly redisStoreMissing?: string;
  body(bytes: number): Body;
  /** A hookguard config of this shape (written once, reused every round). */
  hookguard(shape: Omit<HookguardShape, 'redisUrl'>, withRedis: boolean): HookguardSetup;
  /** Starts a fresh sidecar; with Redis, on an emptied Redis seeded with the shape's token sets. */
  startHookguard(setup: HookguardSetup, withRedis: boolean, options?: HookguardOptions): Promise<Target>;
  startScenario(name: Exclude<ScenarioName, 'direct'>): Promise<Target>;
  close(): Promise<void>;
}

export async function createBenchContext(options: Pick<BenchOptions, 'scenarios' | 'hookguardNodeFlags'>): Promise<BenchContext> {
  const workDir = mkdtempSync(join(tmpdir(), 'hookguard-bench-'));
  // Also when the runner dies half-way; managed-process kills the children the same way.
  process.once('exit', () => rmSync(workDir, { recursive: true, force: true }));
  const app = await startApp();
  const redis = redisAvailable() ? await startRedis() : undefined;
  const bodies = new Map<number, Body>();
  const setups = new Map<string, HookguardSetup>();

  const body = (bytes: number): Body => {
    let found = bodies.get(bytes);
    if (!found) {
      const content = deliveryBody(bytes);
      const file = join(workDir, `body-${bytes}.json`);
      writeFileSync(file, content);
      found = { bytes, file, headers: githubHeaders(content) };
      bodies.set(bytes, found);
    }
    return found;
  };

  const hookguard = (shape: Omit<HookguardShape, 'redisUrl'>, withRedis: boolean): HookguardSetup => {
    const key = `${shape.hooks}-${shape.tokens}-${withRedis}`;
    let setup = setups.get(key);
    if (!setup) {
      const dir = join(workDir, `hookguard-${key}`);
      mkdirSync(dir, { recursive: true });
      setup = writeHookguardConfig(dir, app.port, { ...shape, ...(withRedis && redis ? { redisUrl: redis.url } : {}) });
      setups.set(key, setup);
    }
    return setup;
  };

  const startHookguardWith = async (setup: HookguardSetup, withRedis: boolean, hookguardOptions: HookguardOptions = {}): Promise<Target> => {
    if (withRedis) {
      if (!redis) throw new Unavailable('redis-server is not installed');
      await redis.client.flushall();
      for (const [hook, hashes] of setup.tokenSets) {
        const records: string[] = [];
        const now = Date.now();
        for (const hash of hashes) records.push(hash, `${now}:0`);
        await redis.client.hset(`hookguard:{${hook}}:tokens`, ...records);
      }
    }
    const nodeFlags = [...options.hookguardNodeFlags, ...(hookguardOptions.nodeFlags ?? [])];
    return startHookguard(setup.configFile, { ...hookguardOptions, nodeFlags });
  };

  let redisStoreMissing: string | undefined = redis ? undefined : 'redis-server is not installed';
  if (redis && options.scenarios.includes('hookguard-redis')) {
    // Whether this build's sidecar takes a redis section at all; asked once, up front.
    try {
      const target = await startHookguardWith(hookguard({ hooks: 1, tokens: 1 }, true), true);
      await target.stop();
    } catch (error) {
      // Any other start-up failure is the scenario's to report as failed, round by round.
      if (error instanceof Unavailable) redisStoreMissing = error.message;
    }
  }

  return {
    workDir,
    app,
    ...(redis ? { redis } : {}),
    ...(redisStoreMissing ? { redisStoreMissing } : {}),
    body,
    hookguard,
    startHookguard: startHookguardWith,
    async startScenario(name) {
      switch (name) {
        case 'node-proxy':
          return startNodeProxy(app.port);
        case 'nginx':
          return startNginx(app.port, workDir);
        case 'hookguard-memory':
          return startHookguardWith(hookguard({ hooks: 1, tokens: 1 }, false), false);
        case 'hookguard-redis':
          if (redisStoreMissing) throw new Unavailable(redisStoreMissing);
          return startHookguardWith(hookguard({ hooks: 1, tokens: 1 }, true), true);
      }
    },
    async close() {
      await redis?.stop();
      await app.process.stop();
      rmSync(workDir, { recursive: true, force: true });
    },
  };
}
