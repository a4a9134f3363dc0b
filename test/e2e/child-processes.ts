import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, createWriteStream, readFileSync } from 'node:fs';

/**
 * Every process the e2e environment starts goes through here, so that none outlives the test run:
 * each is stopped by `stop()`, killed when this process exits for any reason, and its pid is
 * written to HOOKGUARD_E2E_PIDFILE so that scripts/e2e/run.sh can kill it even after a SIGKILL.
 */
export interface ManagedProcess {
  readonly name: string;
  readonly child: ChildProcess;
  readonly logFile: string;
  /** Resolves with the exit code (or signal) once the process has exited. */
  readonly exited: Promise<number | string | null>;
  isRunning(): boolean;
  /** The last lines of its log, for failure messages. */
  logTail(lines?: number): string;
  /** SIGTERM, then SIGKILL after `graceMs`; resolves once it has exited. */
  stop(graceMs?: number): Promise<void>;
}

const running = new Set<ChildProcess>();

function killAll(): void {
  for (const child of running) {
    try {
      child.kill('SIGKILL');
    } catch {
      // already gone
    }
  }
}

process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    killAll();
    process.exit(128 + (signal === 'SIGINT' ? 2 : signal === 'SIGTERM' ? 15 : 1));
  });
}

/** Tells scripts/e2e/run.sh what to remove should this process die without cleaning up. */
export function recordForCleanup(kind: 'pid' | 'dir', value: string): void {
  const file = process.env.HOOKGUARD_E2E_PIDFILE;
  if (file) appendFileSync(file, `${kind} ${value}\n`);
}

/** Environment for child processes: no proxy variables, which Go programs would honour for loopback calls. */
export function childEnv(extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!/^(https?|all|no)_proxy$/i.test(key)) env[key] = value;
  }
  return { ...env, ...extra };
}

export function startProcess(name: string, command: string, args: readonly string[], options: { logFile: string; cwd?: string; env?: NodeJS.ProcessEnv }): ManagedProcess {
  const log = createWriteStream(options.logFile, { flags: 'a' });
  const child = spawn(command, args, { cwd: options.cwd, env: options.env ?? childEnv(), stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  child.stdout!.pipe(log, { end: false });
  child.stderr!.pipe(log, { end: false });
  if (child.pid !== undefined) recordForCleanup('pid', String(child.pid));

  const exited = new Promise<number | string | null>((resolve) => {
    child.once('error', (error) => {
      running.delete(child);
      log.end(`\n${name}: ${error.message}\n`);
      resolve(error.message);
    });
    child.once('exit', (code, signal) => {
      running.delete(child);
      resolve(code ?? signal);
    });
  });
  child.once('close', () => log.end());

  const isRunning = () => child.exitCode === null && child.signalCode === null && running.has(child);
  return {
    name,
    child,
    logFile: options.logFile,
    exited,
    isRunning,
    logTail(lines = 40) {
      try {
        return readFileSync(options.logFile, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
      } catch {
        return '';
      }
    },
    async stop(graceMs = 5_000) {
      if (!isRunning()) {
        await exited;
        return;
      }
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}
