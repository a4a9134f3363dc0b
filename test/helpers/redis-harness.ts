import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './free-port.js';

export { freePort };

/**
 * Real redis-server processes for tests: a single server, a Cluster, a Sentinel setup. Everything
 * binds 127.0.0.1 on free ports, lives in a temp folder, keeps no data on disk, and is killed by
 * `stop()` (call it in `after`) or, as a last resort, when the test process exits.
 */

const HOST = '127.0.0.1';
const run = promisify(execFile);
const everyProcess = new Set<ChildProcess>();
const everyDir = new Set<string>();

process.once('exit', () => {
  for (const child of everyProcess) child.kill('SIGKILL');
  for (const dir of everyDir) rmSync(dir, { recursive: true, force: true });
});

function tempDir(name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `hookguard-${name}-`));
  everyDir.add(dir);
  return dir;
}

export async function redisCli(port: number, ...args: string[]): Promise<string> {
  const { stdout } = await run('redis-cli', ['-h', HOST, '-p', String(port), ...args], { timeout: 10_000 });
  return stdout.trim();
}

/** Answers PING with +PONG: the server accepts commands (not loading, not starting). */
async function pings(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: HOST, port });
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(500, () => done(false));
    socket.once('error', () => done(false));
    socket.once('connect', () => socket.write('PING\r\n'));
    socket.once('data', (data) => done(data.toString().startsWith('+PONG')));
  });
}

export async function waitFor(what: string, condition: () => Promise<boolean> | boolean, timeoutMs = 10_000, everyMs = 50): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await condition()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, everyMs));
  }
}

export interface RedisServer {
  readonly host: string;
  readonly port: number;
  readonly url: string;
  readonly dir: string;
  /** Starts it again on the same port (after `kill`), empty: nothing is persisted. */
  start(): Promise<void>;
  /** SIGKILL, as a crash or a deleted pod would. */
  kill(): Promise<void>;
  /** SIGSTOP / SIGCONT: connected but not answering, as a hung Redis or a partition would. */
  pause(): void;
  resume(): void;
  cli(...args: string[]): Promise<string>;
}

interface ServerOptions {
  readonly port?: number;
  /** Extra arguments, or a config file (for Sentinel) as the first one. */
  readonly args?: readonly string[];
  readonly configFile?: string;
  readonly name?: string;
}

export async function startRedisServer(options: ServerOptions = {}): Promise<RedisServer> {
  const port = options.port ?? (await freePort());
  const dir = tempDir(options.name ?? `redis-${port}`);
  let child: ChildProcess | undefined;

  const start = async () => {
    const args = [
      ...(options.configFile ? [options.configFile] : []),
      '--port', String(port),
      '--bind', HOST,
      '--dir', dir,
      '--save', '',
      '--appendonly', 'no',
      '--daemonize', 'no',
      '--logfile', join(dir, 'redis.log'),
      ...(options.args ?? []),
    ];
    const started = spawn('redis-server', args, { stdio: 'ignore' });
    everyProcess.add(started);
    started.once('exit', () => everyProcess.delete(started));
    child = started;
    await waitFor(`redis-server on port ${port}`, async () => {
      if (started.exitCode !== null) throw new Error(`redis-server on port ${port} exited with ${started.exitCode}; see ${dir}/redis.log`);
      return pings(port);
    });
  };

  const kill = async () => {
    const current = child;
    child = undefined;
    if (!current || current.exitCode !== null || current.signalCode !== null) return;
    const exited = new Promise((resolve) => current.once('exit', resolve));
    current.kill('SIGCONT');
    current.kill('SIGKILL');
    await exited;
  };

  await start();
  return {
    host: HOST,
    port,
    url: `redis://${HOST}:${port}`,
    dir,
    start,
    kill,
    pause: () => child?.kill('SIGSTOP'),
    resume: () => child?.kill('SIGCONT'),
    cli: (...args) => redisCli(port, ...args),
  };
}

/** Stops a group of servers; safe to call twice and after a failed start. */
async function stopAll(servers: readonly RedisServer[]): Promise<void> {
  await Promise.all(servers.map((server) => server.kill()));
}

export interface RedisCluster {
  readonly nodes: readonly RedisServer[];
  stop(): Promise<void>;
}

/** `masters` masters, no replicas, every slot assigned, cluster_state:ok on every node. */
export async function startRedisCluster(masters = 3): Promise<RedisCluster> {
  const nodes: RedisServer[] = [];
  try {
    for (let i = 0; i < masters; i++) {
      const busPort = await freePort();
      nodes.push(
        await startRedisServer({
          name: `cluster-${i}`,
          args: ['--cluster-enabled', 'yes', '--cluster-config-file', 'nodes.conf', '--cluster-port', String(busPort), '--cluster-node-timeout', '2000'],
        }),
      );
    }
    await run('redis-cli', ['--cluster', 'create', ...nodes.map((n) => `${HOST}:${n.port}`), '--cluster-replicas', '0', '--cluster-yes'], { timeout: 30_000 });
    for (const node of nodes) {
      await waitFor(`cluster_state:ok on ${node.port}`, async () => (await node.cli('cluster', 'info')).includes('cluster_state:ok'));
    }
    return { nodes, stop: () => stopAll(nodes) };
  } catch (error) {
    await stopAll(nodes);
    throw error;
  }
}

export interface RedisSentinelSetup {
  readonly name: string;
  readonly master: RedisServer;
  readonly replica: RedisServer;
  readonly sentinels: readonly RedisServer[];
  /** The address the sentinels currently give for the master. */
  masterPort(): Promise<number>;
  /** SENTINEL FAILOVER, then waits until the replica is the master and every sentinel says so. */
  failover(): Promise<RedisServer>;
  stop(): Promise<void>;
}

/** One master, one replica, three sentinels with quorum 2; failures detected after 1 s. */
export async function startRedisSentinel(name = 'hookguard'): Promise<RedisSentinelSetup> {
  const all: RedisServer[] = [];
  try {
    // No 5 s wait for more replicas before the first full sync.
    const master = await startRedisServer({ name: 'sentinel-master', args: ['--repl-diskless-sync-delay', '0'] });
    all.push(master);
    const replica = await startRedisServer({ name: 'sentinel-replica', args: ['--replicaof', HOST, String(master.port), '--repl-diskless-sync-delay', '0'] });
    all.push(replica);
    await waitFor('the replica in sync', async () => (await replica.cli('info', 'replication')).includes('master_link_status:up'));

    const sentinels: RedisServer[] = [];
    for (let i = 0; i < 3; i++) {
      const port = await freePort();
      // Sentinel rewrites its config file, so each gets its own writable copy.
      const dir = tempDir(`sentinel-conf-${i}`);
      const configFile = join(dir, 'sentinel.conf');
      writeFileSync(
        configFile,
        [
          `sentinel monitor ${name} ${HOST} ${master.port} 2`,
          // Long enough that a loaded machine never makes the sentinels fail over on their own: the
          // tests force their failovers with SENTINEL FAILOVER.
          `sentinel down-after-milliseconds ${name} 10000`,
          `sentinel failover-timeout ${name} 5000`,
          `sentinel parallel-syncs ${name} 1`,
          '',
        ].join('\n'),
      );
      const sentinel = await startRedisServer({ name: `sentinel-${i}`, port, configFile, args: ['--sentinel'] });
      sentinels.push(sentinel);
      all.push(sentinel);
    }
    const first = sentinels[0]!;
    // A forced failover needs no agreement, only a sentinel that knows the replica.
    await waitFor('the sentinels to know the replica', async () => {
      for (const sentinel of sentinels) if (!(await sentinel.cli('sentinel', 'replicas', name)).includes(String(replica.port))) return false;
      return true;
    }, 15_000, 100);

    const masterPort = async () => Number((await first.cli('sentinel', 'get-master-addr-by-name', name)).split('\n')[1]);
    const failover = async () => {
      const before = await masterPort();
      const target = before === master.port ? replica : master;
      // Refused while the sentinels have not yet heard from the replica: ask again.
      await waitFor('SENTINEL FAILOVER accepted', async () => (await first.cli('sentinel', 'failover', name)) === 'OK', 15_000, 250);
      await waitFor('the failover to end', async () => {
        for (const sentinel of sentinels) {
          const port = Number((await sentinel.cli('sentinel', 'get-master-addr-by-name', name)).split('\n')[1]);
          if (port !== target.port) return false;
        }
        return (await target.cli('role')).startsWith('master');
      }, 20_000, 100);
      // The failover has ended only when the old master is a replica too: until then it still
      // takes writes from clients that have not moved yet.
      const old = target === replica ? master : replica;
      await waitFor('the old master to become a replica', async () => (await old.cli('role')).startsWith('slave'), 20_000, 100);
      return target;
    };
    return { name, master, replica, sentinels, masterPort, failover, stop: () => stopAll(all) };
  } catch (error) {
    await stopAll(all);
    throw error;
  }
}
