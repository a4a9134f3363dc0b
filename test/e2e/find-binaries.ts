import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));

/** Runs one of scripts/e2e's tool scripts; each prints the path of the binary as its last line. */
function toolPath(script: string): string {
  const output = execFileSync('bash', [`scripts/e2e/${script}`], { cwd: REPO, encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'] });
  const path = output.trim().split('\n').at(-1);
  if (!path) throw new Error(`e2e: scripts/e2e/${script} printed no path`);
  return path;
}

/**
 * kube-apiserver and etcd: from HOOKGUARD_KUBE_APISERVER / HOOKGUARD_ETCD when set, otherwise from
 * the scripts, which build or install them once and then answer from the cache at once.
 */
export function findBinaries(): { kubeApiServer: string; etcd: string } {
  return {
    kubeApiServer: process.env.HOOKGUARD_KUBE_APISERVER || toolPath('build-kube-apiserver.sh'),
    etcd: process.env.HOOKGUARD_ETCD || toolPath('ensure-etcd.sh'),
  };
}
