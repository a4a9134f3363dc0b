import type { ChildProcess } from 'node:child_process';
import { constants } from 'node:os';

/**
 * Nothing the bench starts outlives it: every child registered here is killed when the runner
 * exits, also when it is interrupted (Ctrl-C, a timeout's SIGTERM, a closed terminal), which by
 * Node's default would end it without an 'exit' event and leave the app, Redis, the sidecar or a
 * load generator running. A child started with `detached: true` leads its own process group
 * (`bash -c wrk ...`), and the whole group is killed.
 */
const children = new Map<ChildProcess, { group: boolean }>();

export function reapOnExit(child: ChildProcess, options: { group?: boolean } = {}): void {
  if (child.pid === undefined) return;
  children.set(child, { group: options.group === true });
  const forget = (): void => void children.delete(child);
  child.once('exit', forget);
  child.once('error', forget);
}

function killAll(): void {
  for (const [child, { group }] of children) {
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) continue;
    try {
      if (group) process.kill(-child.pid, 'SIGKILL');
      else child.kill('SIGKILL');
    } catch {
      // Gone in the meantime.
    }
  }
  children.clear();
}

process.once('exit', killAll);
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
  process.once(signal, () => {
    process.stderr.write(`bench: ${signal}: stopping every process it started\n`);
    killAll();
    process.exit(128 + constants.signals[signal]);
  });
}
