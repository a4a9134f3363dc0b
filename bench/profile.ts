import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BenchOptions } from './bench-options.js';
import type { Target } from './targets/target.js';
import { createBenchContext, type BenchContext } from './bench-context.js';
import { runLoad } from './load/run-load.js';
import { cpuMicros } from './proc-stats.js';
import { DELIVERY_HEADER } from './delivery.js';
import { summarizeCpuProfile, renderProfileSummary, type CpuProfile } from './report/cpu-profile.js';
import { renderAllocationSummary, summarizeAllocationProfile, type AllocationProfile } from './report/allocation-profile.js';
import type { HookguardOptions } from './targets/start-hookguard.js';
import { reapOnExit } from './targets/reap-on-exit.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url)).replace(/\/$/, '');

/**
 * `--profile DIR`: where the sidecar's CPU goes under saturation load (Redis state when this build
 * has it), in two passes on fresh sidecars:
 *   1. `node --cpu-prof`: JS stacks by function (DIR/*.cpuprofile; open it in Chrome DevTools or
 *      speedscope for the flame graph).
 *   2. `perf record -e cpu-clock` with `--perf-basic-prof` (when perf is installed): on-CPU samples
 *      only, kernel included, which V8's wall-clock sampler cannot tell apart from waiting.
 *   3. V8's sampling heap profiler, collected objects included (targets/allocation-sampler.mjs):
 *      bytes allocated per request by owner and by function (DIR/allocations.heapprofile). What a
 *      request allocates is what the young generation absorbs: scavenges, promotions, heap size.
 * The sidecar is pinned to core 0 and everything else (app, Redis, load generator) to core 1 when
 * taskset is there, so that its samples are its own work rather than time spent preempted by them.
 * The summary goes to stdout and DIR/summary.md.
 */
export async function runProfile(options: BenchOptions, dirOption: string): Promise<number> {
  const dir = resolve(dirOption);
  mkdirSync(dir, { recursive: true });
  const context = await createBenchContext({ scenarios: ['hookguard-redis'], hookguardNodeFlags: options.hookguardNodeFlags });
  const pin = has('taskset') && cpus().length >= 2;
  try {
    if (pin) {
      pinTo(context.app.process.pid, 1);
      if (context.redis) pinTo(context.redis.process.pid, 1);
    }
    const withRedis = context.redisStoreMissing === undefined && context.redis !== undefined;
    const sections: string[] = [
      `# Where the sidecar's CPU goes (${withRedis ? 'Redis' : 'memory'} state, saturation, ${options.connections} connections, ${options.profileBodyBytes}-byte bodies, ${options.profileHooks} hook${options.profileHooks === 1 ? '' : 's'})`,
      '',
      pin ? 'Sidecar pinned to core 0; app, Redis and load generator to core 1.' : 'Not pinned (taskset missing or one core): samples include time preempted by the load generator.',
      '',
    ];

    const v8 = await profiled(context, options, withRedis, { cpuProfileDir: dir }, pin);
    const file = newestProfile(dir, v8.started);
    if (!file) {
      process.stderr.write(`bench: no .cpuprofile appeared in ${dir}\n`);
      return 1;
    }
    const summary = summarizeCpuProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, ROOT);
    sections.push(
      `## Pass 1: V8 CPU profile (node --cpu-prof)`,
      '',
      `${Math.round(v8.rps)} rps while profiled, ${v8.cpuUsPerReq.toFixed(0)} µs CPU per request; the sidecar used ${v8.cpuMs.toFixed(0)} ms of CPU (from /proc) in ${v8.wallMs} ms. ` +
        `V8 samples wall time: busy samples beyond the CPU time are moments the thread was in a syscall or runnable but not on a core, charged to the frame on top (typically a socket write that woke another process). Profile: ${file}`,
      '',
      renderProfileSummary(summary),
    );

    if (has('perf')) {
      const data = join(dir, 'perf.data');
      // --perf-basic-prof also makes V8 write its code log, by default as isolate-*.log in the
      // working directory (the repository): it goes into the profile folder instead.
      const perfFlags = ['--perf-basic-prof', '--no-logfile-per-isolate', `--logfile=${join(dir, 'v8.log')}`];
      const perf = await profiled(context, options, withRedis, { nodeFlags: perfFlags }, pin, data);
      sections.push(
        `## Pass 2: on-CPU samples (perf record -e cpu-clock, --perf-basic-prof)`,
        '',
        `${Math.round(perf.rps)} rps, ${perf.cpuUsPerReq.toFixed(0)} µs CPU per request. Data: ${data}`,
        '',
        '### By shared object (kernel = syscalls, TCP loopback, wake-ups; node = V8 builtins, GC, C++; JIT = JavaScript)',
        '',
        '```',
        perfReport(data, 'dso', 10),
        '```',
        '',
        '### Top symbols by self time',
        '',
        '```',
        perfReport(data, 'dso,sym', 45),
        '```',
        '',
      );
    }
    const heapFile = join(dir, 'allocations.heapprofile');
    rmSync(heapFile, { force: true });
    const heap = await profiled(context, options, withRedis, { allocationProfile: heapFile }, pin);
    if (existsSync(heapFile)) {
      const allocations = summarizeAllocationProfile(JSON.parse(readFileSync(heapFile, 'utf8')) as AllocationProfile, ROOT, heap.requests);
      sections.push(
        `## Pass 3: allocations (V8 sampling heap profiler, collected objects included)`,
        '',
        `${Math.round(heap.rps)} rps, ${heap.requests} requests sampled. Profile: ${heapFile} (opens in Chrome DevTools, Memory tab).`,
        '',
        renderAllocationSummary(allocations),
      );
    } else {
      sections.push('## Pass 3: allocations', '', `No allocation profile appeared in ${heapFile}.`, '');
    }
    const text = `${sections.join('\n')}\n`;
    writeFileSync(join(dir, 'summary.md'), text);
    process.stdout.write(text);
    return 0;
  } finally {
    await context.close();
  }
}

interface Pass {
  readonly started: number;
  readonly rps: number;
  readonly cpuMs: number;
  readonly wallMs: number;
  readonly cpuUsPerReq: number;
  readonly requests: number;
}

async function profiled(context: BenchContext, options: BenchOptions, withRedis: boolean, hookguard: HookguardOptions, pin: boolean, perfData?: string): Promise<Pass> {
  const setup = context.hookguard({ hooks: options.profileHooks, tokens: options.profileHooks }, withRedis);
  const body = context.body(options.profileBodyBytes);
  const started = Date.now();
  const target: Target = await context.startHookguard(setup, withRedis, hookguard);
  const [pid] = target.pids();
  if (pin) pinTo(pid!, 0);
  const load = { cpu: pin ? 1 : undefined };
  const spec = (seconds: number, prefix: string) => ({
    host: '127.0.0.1',
    port: target.port,
    paths: setup.paths,
    headers: body.headers,
    deliveryHeader: DELIVERY_HEADER,
    deliveryPrefix: `${prefix}-${started.toString(36)}-`,
    bodyFile: body.file,
    connections: options.connections,
    durationSeconds: seconds,
  });
  try {
    await runLoad(spec(Math.max(1, Math.min(options.warmupSeconds, 3)), 'warm'), options.tool, context.workDir, pin ? { cpu: 1 } : {});
    const recorder = perfData
      ? spawn('perf', ['record', '-e', 'cpu-clock', '-F', '997', '-p', String(pid), '-o', perfData, '--', 'sleep', String(options.profileSeconds)], { stdio: 'ignore' })
      : undefined;
    if (recorder) reapOnExit(recorder);
    if (hookguard.allocationProfile) {
      process.kill(pid!, 'SIGUSR1');
      await new Promise((done) => setTimeout(done, 200));
    }
    const cpuBefore = cpuMicros(pid!);
    const wallBefore = Date.now();
    const result = await runLoad(spec(options.profileSeconds, perfData ? 'perf' : 'prof'), options.tool, context.workDir, load.cpu !== undefined ? { cpu: load.cpu } : {});
    const cpuMs = (cpuMicros(pid!) - cpuBefore) / 1000;
    const wallMs = Date.now() - wallBefore;
    if (recorder) await new Promise((done) => recorder.once('exit', done));
    if (hookguard.allocationProfile) {
      process.kill(pid!, 'SIGUSR2');
      // The sampler renames the finished file into place.
      for (let waited = 0; waited < 10_000 && !existsSync(hookguard.allocationProfile); waited += 100) await new Promise((done) => setTimeout(done, 100));
    }
    return { started, rps: result.rps, cpuMs, wallMs, cpuUsPerReq: (cpuMs * 1000) / Math.max(1, result.requests), requests: result.requests };
  } finally {
    await target.stop();
  }
}

function perfReport(data: string, sort: string, lines: number): string {
  try {
    const out = execFileSync('perf', ['report', '-i', data, '--stdio', '--no-children', '--sort', sort], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 64 * 1024 * 1024 });
    return out
      .split('\n')
      .filter((line) => line.trim() !== '' && !line.startsWith('#'))
      .slice(0, lines)
      .map((line) => line.replace(/\s+$/, '').replace(ROOT + '/', ''))
      .join('\n');
  } catch (error) {
    return `perf report failed: ${(error as Error).message}`;
  }
}

function pinTo(pid: number, cpu: number): void {
  execFileSync('taskset', ['-apc', String(cpu), String(pid)], { stdio: 'ignore' });
}

function has(command: string): boolean {
  try {
    execFileSync('bash', ['-c', `command -v ${command}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function newestProfile(dir: string, since: number): string | undefined {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.cpuprofile'))
    .map((name) => join(dir, name))
    .filter((path) => statSync(path).mtimeMs >= since)
    .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
}
