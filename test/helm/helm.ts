import { spawnSync } from 'node:child_process';
import { accessSync, constants, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments, stringify } from 'yaml';

export const REPO = fileURLToPath(new URL('../..', import.meta.url));
export const CHART = join(REPO, 'helm/hookguard');

/** The release every test renders, as docs/helm.md installs it. */
export const RELEASE = { name: 'hookguard', namespace: 'hookguard' } as const;
/** A cluster version with native sidecars; `helm template` otherwise assumes its own default. */
export const KUBE_VERSION = '1.31.0';

export type K8sObject = { apiVersion: string; kind: string; metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> }; [key: string]: any };

/** The pinned helm version, read from scripts/ensure-tools.sh so the pin lives in one place. */
function pinnedHelmVersion(): string {
  const script = readFileSync(join(REPO, 'scripts/ensure-tools.sh'), 'utf8');
  const match = /^HELM_VERSION="(v[0-9.]+)"/m.exec(script);
  if (!match) throw new Error('scripts/ensure-tools.sh no longer pins HELM_VERSION');
  return match[1]!;
}

/** HOOKGUARD_HELM, else the cached build; missing helm fails the test with what to run. */
export function helmBinary(): string {
  const path = process.env.HOOKGUARD_HELM || join(process.env.HOME || homedir(), '.cache/hookguard', `helm-${pinnedHelmVersion()}`, 'helm');
  try {
    accessSync(path, constants.X_OK);
  } catch {
    throw new Error(`helm not found at ${path}: run \`source scripts/ensure-tools.sh && ensure_helm\` (it builds helm ${pinnedHelmVersion()} and exports HOOKGUARD_HELM)`);
  }
  return path;
}

export interface HelmResult {
  readonly status: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function helm(args: readonly string[]): HelmResult {
  const result = spawnSync(helmBinary(), args, { cwd: REPO, encoding: 'utf8', env: { ...process.env, HELM_CACHE_HOME: join(tmpdir(), 'hookguard-helm-cache') } });
  if (result.error) throw result.error;
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

export interface RenderOptions {
  readonly kubeVersion?: string;
  readonly release?: string;
  readonly namespace?: string;
}

function withValuesFile<T>(values: Record<string, unknown>, run: (file: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'hookguard-values-'));
  const file = join(dir, 'values.yaml');
  writeFileSync(file, stringify(values));
  try {
    return run(file);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `helm template` with the values given as a file (as users write them), hooks included. */
export function template(values: Record<string, unknown> = {}, options: RenderOptions = {}): HelmResult {
  return withValuesFile(values, (file) =>
    helm([
      'template',
      options.release ?? RELEASE.name,
      CHART,
      '--namespace',
      options.namespace ?? RELEASE.namespace,
      '--kube-version',
      options.kubeVersion ?? KUBE_VERSION,
      '--values',
      file,
    ]),
  );
}

export function lint(values: Record<string, unknown> = {}, options: RenderOptions = {}): HelmResult {
  return withValuesFile(values, (file) => helm(['lint', CHART, '--strict', '--kube-version', options.kubeVersion ?? KUBE_VERSION, '--namespace', RELEASE.namespace, '--values', file]));
}

export function parseObjects(text: string): K8sObject[] {
  return parseAllDocuments(text)
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`rendered YAML does not parse: ${doc.errors[0]!.message}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((obj): obj is K8sObject => obj !== null);
}

/** Renders and parses, failing with helm's message when rendering fails. */
export function render(values: Record<string, unknown> = {}, options: RenderOptions = {}): K8sObject[] {
  const result = template(values, options);
  if (result.status !== 0) throw new Error(`helm template failed:\n${result.stderr}`);
  return parseObjects(result.stdout);
}

export function find(objects: readonly K8sObject[], kind: string, name?: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && (name === undefined || o.metadata.name === name));
  if (!found) throw new Error(`no ${kind}${name ? ` ${name}` : ''} among ${objects.map((o) => `${o.kind}/${o.metadata.name}`).join(', ')}`);
  return found;
}
