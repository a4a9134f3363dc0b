import { execFileSync } from 'node:child_process';
import { cpus, release, totalmem } from 'node:os';

function version(command: string, args: string[], pattern: RegExp): string | undefined {
  try {
    const out = execFileSync(command, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return pattern.exec(out)?.[1];
  } catch (error) {
    const e = error as { stdout?: string; stderr?: string };
    return pattern.exec(`${e.stdout ?? ''}${e.stderr ?? ''}`)?.[1];
  }
}

/** What the figures ran on: they mean nothing without it. */
export function describeMachine(): { machine: string; versions: Record<string, string | undefined> } {
  const list = cpus();
  const versions = {
    node: process.version,
    nginx: version('bash', ['-c', 'nginx -v 2>&1'], /nginx\/(\S+)/),
    redis: version('redis-server', ['--version'], /v=(\S+)/),
    wrk: version('wrk', ['--version'], /wrk (\S+)/),
  };
  const machine = `${list.length} × ${list[0]?.model.trim() ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB, Linux ${release()}, Node ${process.version}, nginx ${versions.nginx ?? 'absent'}, Redis ${versions.redis ?? 'absent'}; the load generator runs on the same cores`;
  return { machine, versions };
}
