import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LoadResult, LoadSpec } from './load-spec.js';
import { wrkScript } from './wrk-script.js';
import { reapOnExit } from '../targets/reap-on-exit.js';

export type SaturationTool = 'wrk' | 'autocannon';

const HERE = fileURLToPath(new URL('.', import.meta.url));
let specCount = 0;

/**
 * Runs one load in a separate process: wrk or autocannon for closed-loop saturation, the open-loop
 * driver for a fixed rate. The driver runs under `bash -c '...; times'` so that its own CPU time
 * comes from the OS (the children's user and system times) and not from an estimate.
 */
export async function runLoad(spec: LoadSpec, tool: SaturationTool, workDir: string, options: { cpu?: number } = {}): Promise<LoadResult> {
  const file = join(workDir, `load-${++specCount}`);
  let command: string[];
  if (spec.rate !== undefined) {
    writeFileSync(`${file}.json`, JSON.stringify(spec));
    command = [process.execPath, join(HERE, 'open-loop.mjs'), `${file}.json`];
  } else if (tool === 'wrk') {
    writeFileSync(`${file}.lua`, wrkScript(spec));
    const duration = Math.max(1, Math.round(spec.durationSeconds));
    command = ['wrk', '-t1', `-c${spec.connections}`, `-d${duration}s`, '--timeout', '10s', '-s', `${file}.lua`, `http://${spec.host}:${spec.port}/`];
  } else {
    writeFileSync(`${file}.json`, JSON.stringify(spec));
    command = [process.execPath, join(HERE, 'autocannon-closed.mjs'), `${file}.json`];
  }
  if (options.cpu !== undefined) command = ['taskset', '-c', String(options.cpu), ...command];
  const { stdout, stderr, code } = await runWithTimes(command);
  const line = stdout.split('\n').find((text) => text.startsWith('LOADJSON '));
  if (!line) throw new Error(`load generator ${command[0]} gave no figures (exit ${code}): ${stderr.slice(-500) || stdout.slice(-500)}`);
  const raw = JSON.parse(line.slice('LOADJSON '.length)) as Omit<LoadResult, 'rps' | 'loaderCpuMicros' | 'ok2xx'> & { ok2xx?: number };
  return {
    ...raw,
    ok2xx: raw.ok2xx ?? raw.requests - raw.non2xx,
    rps: raw.seconds > 0 ? raw.requests / raw.seconds : 0,
    loaderCpuMicros: childrenCpuMicros(stdout),
  };
}

function runWithTimes(command: string[]): Promise<{ stdout: string; stderr: string; code: number | null }> {
  return new Promise((resolve, reject) => {
    // Its own process group, so that an interrupted run kills the load generator with its shell.
    const child = spawn('bash', ['-c', '"$@"; code=$?; times; exit $code', 'bench-load', ...command], { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    reapOnExit(child, { group: true });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolve({ stdout, stderr, code }));
  });
}

/** The second line of bash `times`: children's user and system time, as `1m2.345s 0m0.678s`. */
function childrenCpuMicros(stdout: string): number {
  const lines = stdout.trimEnd().split('\n');
  const match = /^(\d+)m([\d.]+)s (\d+)m([\d.]+)s$/.exec(lines[lines.length - 1] ?? '');
  if (!match) return Number.NaN;
  const seconds = Number(match[1]) * 60 + Number(match[2]) + Number(match[3]) * 60 + Number(match[4]);
  return Math.round(seconds * 1e6);
}
