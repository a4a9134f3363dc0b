import { spawn } from 'node:child_process';
import { reapOnExit } from './reap-on-exit.js';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { connect } from 'node:net';

export interface ManagedProcess {
  readonly name: string;
  readonly pid: number;
  /** The last lines it wrote (stdout and stderr), for diagnostics and structured start-up errors. */
  readonly lines: string[];
  readonly exited: Promise<number | null>;
  hasExited(): boolean;
  /** SIGTERM (or the given signal), then SIGKILL after `graceMs`. */
  stop(signal?: NodeJS.Signals, graceMs?: number): Promise<void>;
}

const KEEP_LINES = 200;

export function startProcess(name: string, command: string, args: readonly string[], options: { env?: NodeJS.ProcessEnv; cwd?: string } = {}): ManagedProcess {
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'], env: options.env ?? process.env, ...(options.cwd ? { cwd: options.cwd } : {}) });
  reapOnExit(child);
  const lines: string[] = [];
  const collect = (stream: NodeJS.ReadableStream) => {
    let rest = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      const parts = (rest + chunk).split('\n');
      rest = parts.pop() ?? '';
      lines.push(...parts);
      if (lines.length > KEEP_LINES) lines.splice(0, lines.length - KEEP_LINES);
    });
  };
  collect(child.stdout!);
  collect(child.stderr!);
  // BENCH_LOG_DIR=DIR keeps every process's whole output in DIR/NAME-PID.log (for example a
  // sidecar's --trace-gc lines, with --hookguard-node-flags=--trace-gc).
  const logDir = process.env.BENCH_LOG_DIR;
  if (logDir) {
    mkdirSync(logDir, { recursive: true });
    const file = createWriteStream(join(logDir, `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}-${child.pid}.log`));
    child.stdout!.pipe(file, { end: false });
    child.stderr!.pipe(file, { end: false });
    child.once('exit', () => file.end());
  }
  let done = false;
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => {
      done = true;
      resolve(code);
    });
    child.once('error', (error) => {
      lines.push(String(error));
      done = true;
      resolve(-1);
    });
  });
  if (child.pid === undefined) throw new Error(`${name}: could not start ${command}`);
  return {
    name,
    pid: child.pid,
    lines,
    exited,
    hasExited: () => done,
    async stop(signal: NodeJS.Signals = 'SIGTERM', graceMs = 10_000) {
      if (done) return;
      child.kill(signal);
      const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Resolves once `port` accepts a TCP connection; rejects if the process exits first or time runs out. */
export async function waitForPort(process_: ManagedProcess, port: number, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (process_.hasExited()) throw new Error(`${process_.name} exited before listening: ${process_.lines.slice(-5).join(' | ')}`);
    if (await accepts(port)) return;
    await sleep(25);
  }
  throw new Error(`${process_.name} did not listen on ${port} within ${timeoutMs} ms`);
}

/** Resolves once GET `url` answers 200. */
export async function waitForHttp(process_: ManagedProcess, url: string, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (process_.hasExited()) throw new StartFailed(process_);
    try {
      const answer = await fetch(url, { signal: AbortSignal.timeout(1_000) });
      await answer.arrayBuffer();
      if (answer.status === 200) return;
    } catch {
      // not listening yet
    }
    await sleep(25);
  }
  throw new Error(`${process_.name}: ${url} not ready within ${timeoutMs} ms`);
}

/** The process exited during start-up; its last lines say why. */
export class StartFailed extends Error {
  constructor(readonly process_: ManagedProcess) {
    super(`${process_.name} exited during start-up: ${process_.lines.slice(-5).join(' | ')}`);
  }
}

function accepts(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: '127.0.0.1', port });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
  });
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
