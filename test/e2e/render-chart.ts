import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO } from './find-binaries.js';
import type { KubeObject } from './kube-client.js';

export const RELEASE = 'hookguard';
export const RELEASE_NAMESPACE = 'hookguard';

function helmBinary(): string {
  const fromEnv = process.env.HOOKGUARD_HELM;
  if (fromEnv) return fromEnv;
  const cached = join(process.env.HOOKGUARD_CACHE ?? join(homedir(), '.cache', 'hookguard'), 'helm-v3.19.0', 'helm');
  if (existsSync(cached)) return cached;
  throw new Error('e2e: helm not found: run through `npm run test:e2e` (it builds helm), or set HOOKGUARD_HELM');
}

/**
 * `helm template` of helm/hookguard as `helm install hookguard ./helm/hookguard -n hookguard` would
 * render it for this API server's version, hooks included, as parsed objects.
 */
export function renderChart(kubeVersion: string, values: Record<string, string> = {}): KubeObject[] {
  const sets = Object.entries(values).flatMap(([key, value]) => ['--set', `${key}=${value}`]);
  const output = execFileSync(
    helmBinary(),
    ['template', RELEASE, join(REPO, 'helm', 'hookguard'), '--namespace', RELEASE_NAMESPACE, '--kube-version', kubeVersion, ...sets],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 },
  );
  return parseAllDocuments(output)
    .map((document) => document.toJS() as KubeObject | null)
    .filter((object): object is KubeObject => object !== null && typeof object === 'object' && typeof object.kind === 'string');
}

export function findObject(objects: readonly KubeObject[], kind: string, predicate: (object: KubeObject) => boolean = () => true): KubeObject {
  const found = objects.filter((object) => object.kind === kind && predicate(object));
  if (found.length !== 1) throw new Error(`e2e: the chart rendered ${found.length} ${kind} objects where the tests expect exactly one`);
  return found[0]!;
}
