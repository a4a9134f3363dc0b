import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';
import { REPO } from '../helpers/cli-process.js';
import { freePort } from '../helpers/redis-harness.js';

const CLI = ['--import', 'tsx', 'src/cli.ts'];
const everyChild = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of everyChild) child.kill('SIGKILL');
});

export interface SidecarProcess {
  readonly pid: number;
  readonly listenPort: number;
  readonly url: string;
  readonly adminUrl: string;
  readonly exited: Promise<number | null>;
  /** Lines written to stdout and stderr so far. */
  logLines(): number;
  /** How many log lines carried `"event":"<name>"`. */
  events(name: string): number;
  /** The last lines, for failure messages. */
  tail(): string;
  rssMb(): number;
  fdCount(): number;
  /** SIGTERM, as the kubelet sends; resolves with the exit code. */
  terminate(): Promise<number | null>;
  /** SIGKILL; safe to call twice and after exit. */
  kill(): Promise<void>;
  waitForEvent(name: string, timeoutMs?: number): Promise<void>;
}

/**
 * `hookguard sidecar` as a real process (from source, via tsx, as test/helpers/cli-process.ts's
 * spawnSidecar) on a port the caller chooses, so that a replacement can take over the same port as
 * a rolled-out pod does. Output is counted and parsed line by line, never kept whole: a soak
 * writes for minutes.
 */
export async function startSidecarProcess(configPath: string, options: { listenPort?: number; env?: NodeJS.ProcessEnv } = {}): Promise<SidecarProcess> {
  const listenPort = options.listenPort ?? (await freePort());
  const adminPort = await freePort();
  const child = spawn(process.execPath, [...CLI, 'sidecar', '--config', configPath, '--listen', `127.0.0.1:${listenPort}`, '--admin', `127.0.0.1:${adminPort}`], {
    cwd: REPO,
    env: { ...process.env, HOOKGUARD_LOG_LEVEL: 'info', ...options.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  everyChild.add(child);
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      everyChild.delete(child);
      resolve(code);
    }),
  );
  let lines = 0;
  const events = new Map<string, number>();
  const tail: string[] = [];
  const waiters: { name: string; resolve: () => void }[] = [];
  const collect = (stream: NodeJS.ReadableStream) => {
    let partial = '';
    stream.on('data', (chunk: Buffer) => {
      const parts = (partial + chunk.toString('utf8')).split('\n');
      partial = parts.pop() ?? '';
      for (const line of parts) {
        if (line.length === 0) continue;
        lines++;
        tail.push(line.length > 600 ? `${line.slice(0, 600)}...` : line);
        if (tail.length > 60) tail.shift();
        const event = /"event":"([a-z_]+)"/.exec(line)?.[1];
        if (event) {
          events.set(event, (events.get(event) ?? 0) + 1);
          for (const waiter of waiters.filter((w) => w.name === event)) {
            waiters.splice(waiters.indexOf(waiter), 1);
            waiter.resolve();
          }
        }
      }
    });
  };
  collect(child.stdout!);
  collect(child.stderr!);

  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const deadline = Date.now() + 30_000;
  for (;;) {
    const ready = await fetch(`${adminUrl}/readyz`).then((r) => r.status === 200, () => false);
    if (ready) break;
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`sidecar did not become ready:\n${tail.join('\n')}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }

  const pid = child.pid!;
  return {
    pid,
    listenPort,
    url: `http://127.0.0.1:${listenPort}`,
    adminUrl,
    exited,
    logLines: () => lines,
    events: (name) => events.get(name) ?? 0,
    tail: () => tail.join('\n'),
    rssMb: () => {
      const kb = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
      return Number(kb) / 1024;
    },
    fdCount: () => readdirSync(`/proc/${pid}/fd`).length,
    async terminate() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    async kill() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
    waitForEvent(name, timeoutMs = 10_000) {
      if ((events.get(name) ?? 0) > 0) return Promise.resolve();
      return new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no "${name}" event from the sidecar within ${timeoutMs} ms:\n${tail.join('\n')}`)), timeoutMs);
        waiters.push({ name, resolve: () => (clearTimeout(timer), resolve()) });
      });
    },
  };
}
