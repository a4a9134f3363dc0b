import { isObject } from '../config/shape.js';

export interface NamespaceInInput {
  /** The document that defines the Namespace. */
  readonly index: number;
  readonly labels: Readonly<Record<string, unknown>>;
}

/**
 * The Namespaces defined in the input itself, by name. Only those: the cluster's namespaces are
 * not known offline, so their opt-in label is not checked.
 */
export function collectNamespaceLabels(documents: readonly { readonly index: number; readonly value: unknown }[]): Map<string, NamespaceInInput> {
  const namespaces = new Map<string, NamespaceInInput>();
  for (const { index, value } of documents) {
    if (!isObject(value) || value.kind !== 'Namespace' || value.apiVersion !== 'v1' || !isObject(value.metadata)) continue;
    const { name, labels } = value.metadata;
    if (typeof name === 'string') namespaces.set(name, { index, labels: isObject(labels) ? labels : {} });
  }
  return namespaces;
}
