import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const FIXTURE = fileURLToPath(new URL('./fixtures/starts-children.ts', import.meta.url));

/** Gone, or a zombie waiting for its new parent to reap it: either way no longer running. */
function running(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z';
  } catch {
    return false;
  }
}

async function until(check: () => boolean, timeoutMs = 5_000): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (check()) return true;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return check();
}

describe('the bench stops what it started when it is interrupted', () => {
  for (const [signal, code] of [['SIGTERM', 143], ['SIGINT', 130], ['SIGHUP', 129]] as const) {
    it(`${signal}: the runner exits ${code} and its processes, a load generator's process group included, are gone`, async () => {
      const runner = spawn(process.execPath, ['--import', 'tsx', FIXTURE], { stdio: ['ignore', 'pipe', 'pipe'] });
      const exited = new Promise<number | null>((resolve) => runner.once('exit', (exitCode) => resolve(exitCode)));
      const line = await new Promise<string>((resolve, reject) => {
        let text = '';
        runner.stdout!.on('data', (chunk: Buffer) => {
          text += chunk.toString();
          if (text.includes('\n')) resolve(text.split('\n')[0]!);
        });
        runner.once('exit', () => reject(new Error(`the fixture exited before starting its children: ${text}`)));
      });
      const pids = JSON.parse(line) as { managed: number; shell: number; grandchild: number };
      for (const pid of Object.values(pids)) assert.ok(running(pid), `pid ${pid} running before the signal`);
      runner.kill(signal);
      assert.equal(await exited, code);
      for (const [name, pid] of Object.entries(pids)) assert.ok(await until(() => !running(pid)), `${name} (pid ${pid}) still running`);
    });
  }
});
