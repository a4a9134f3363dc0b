import { isObject } from '../config/shape.js';

export type NodePath = readonly (string | number)[];

/** The object a pod template belongs to, as errors and warnings name it. */
export interface TemplateOwner {
  readonly kind: string;
  /** `metadata.name`, else `metadata.generateName`. */
  readonly name?: string;
  readonly namespace?: string;
  /** Where the object sits in its document: `[]`, or `['items', 2]` inside a List. */
  readonly path: NodePath;
}

export interface PodTemplateRef {
  readonly owner: TemplateOwner;
  /** From the document's root to the pod (a Pod) or to the pod template (a workload). */
  readonly path: NodePath;
  /** The same path relative to the owner: `[]` for a Pod, `['spec', 'template']` for a Deployment. */
  readonly templatePath: NodePath;
  readonly template: Readonly<Record<string, unknown>>;
}

/**
 * Where each kind keeps the pod it makes: the pods the webhook sees are created from these. Only
 * the built-in API groups: a custom resource named `Deployment` in another group may put its
 * template anywhere, and guessing would write sidecars into fields the API server rejects.
 */
const TEMPLATE_PATHS: Readonly<Record<string, { readonly group: string; readonly path: NodePath }>> = {
  Pod: { group: '', path: [] },
  ReplicationController: { group: '', path: ['spec', 'template'] },
  Deployment: { group: 'apps', path: ['spec', 'template'] },
  StatefulSet: { group: 'apps', path: ['spec', 'template'] },
  DaemonSet: { group: 'apps', path: ['spec', 'template'] },
  ReplicaSet: { group: 'apps', path: ['spec', 'template'] },
  Job: { group: 'batch', path: ['spec', 'template'] },
  CronJob: { group: 'batch', path: ['spec', 'jobTemplate', 'spec', 'template'] },
};

function groupOf(apiVersion: unknown): string | undefined {
  if (typeof apiVersion !== 'string') return undefined;
  const slash = apiVersion.indexOf('/');
  return slash === -1 ? '' : apiVersion.slice(0, slash);
}

function ownerOf(object: Readonly<Record<string, unknown>>, kind: string, path: NodePath): TemplateOwner {
  const metadata = isObject(object.metadata) ? object.metadata : {};
  const name = typeof metadata.name === 'string' && metadata.name !== '' ? metadata.name : metadata.generateName;
  return {
    kind,
    path,
    ...(typeof name === 'string' && name !== '' && { name }),
    ...(typeof metadata.namespace === 'string' && metadata.namespace !== '' && { namespace: metadata.namespace }),
  };
}

function valueAt(root: unknown, path: NodePath): unknown {
  let value = root;
  for (const token of path) {
    if (!isObject(value)) return undefined;
    value = value[token];
  }
  return value;
}

/**
 * Finds every pod template in one parsed document: the Pod itself, a workload's template, or those
 * of the objects of a `List` (`kubectl get -o yaml` writes one, as do some generators). A template
 * without a `spec` is not one: kustomize patches and other fragments pass through as they are.
 */
export function findPodTemplates(document: unknown, at: NodePath = []): PodTemplateRef[] {
  if (!isObject(document) || typeof document.kind !== 'string') return [];
  const kind = document.kind;
  if ((kind === 'List' || kind.endsWith('List')) && Array.isArray(document.items)) {
    return document.items.flatMap((item, index) => findPodTemplates(item, [...at, 'items', index]));
  }
  const known = Object.hasOwn(TEMPLATE_PATHS, kind) ? TEMPLATE_PATHS[kind] : undefined;
  if (known === undefined || groupOf(document.apiVersion) !== known.group) return [];
  const template = valueAt(document, known.path);
  if (!isObject(template) || template.spec === undefined || template.spec === null) return [];
  return [{ owner: ownerOf(document, kind, at), path: [...at, ...known.path], templatePath: known.path, template }];
}
