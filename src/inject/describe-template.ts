import type { NodePath, PodTemplateRef } from './find-pod-templates.js';

/** `['spec', 'template']` as `spec.template`, `['items', 2]` as `items[2]`. */
export function pathText(path: NodePath): string {
  return path.map((token, i) => (typeof token === 'number' ? `[${token}]` : i === 0 ? token : `.${token}`)).join('');
}

/**
 * Names a pod template the way a reader finds it in the file: `document 2 (Deployment shop/web)
 * at spec.template`, or `document 1 items[0] (Deployment web) at spec.template` in a List.
 */
export function describeTemplate(index: number, ref: PodTemplateRef): string {
  const { owner } = ref;
  const where = owner.path.length > 0 ? ` ${pathText(owner.path)}` : '';
  const name = `${owner.namespace !== undefined ? `${owner.namespace}/` : ''}${owner.name ?? '(no name)'}`;
  const at = ref.templatePath.length > 0 ? ` at ${pathText(ref.templatePath)}` : '';
  return `document ${index}${where} (${owner.kind} ${name})${at}`;
}
