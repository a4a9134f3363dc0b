import { NAMESPACE_OPT_IN_LABEL, NAMESPACE_OPT_IN_VALUE } from '../injector/injector-names.js';
import type { InjectorOptions } from '../injector/injector-options.js';
import { jsonPointer } from '../injector/json-pointer.js';
import type { PatchOperation } from '../injector/render-patch.js';
import { collectNamespaceLabels, type NamespaceInInput } from './collect-namespace-labels.js';
import { describeTemplate } from './describe-template.js';
import { detectYamlStyle } from './detect-yaml-style.js';
import { findPodTemplates, type PodTemplateRef } from './find-pod-templates.js';
import { injectPodTemplate } from './inject-pod-template.js';
import { readDocuments, type SourceDocument } from './read-documents.js';
import { renderInjectedDocument } from './render-injected-document.js';

export interface InjectedDocument {
  readonly index: number;
  /** The document's input text, byte for byte. */
  readonly source: string;
  /** What is written for it: `source` itself when nothing changed. */
  readonly output: string;
  /** Names the document in diffs: its first changed template, or just `document N`. */
  readonly label: string;
}

export type InjectResult =
  | {
      readonly ok: true;
      /** The whole stream, ready for `kubectl apply -f -`. */
      readonly output: string;
      readonly documents: readonly InjectedDocument[];
      readonly warnings: readonly string[];
    }
  | { readonly ok: false; readonly errors: readonly string[]; readonly warnings: readonly string[] };

interface ReadDocument extends SourceDocument {
  readonly value: unknown;
}

/** The YAML library's pretty messages end their first line with `:` before a code excerpt. */
function firstLine(text: string): string {
  return (text.split('\n')[0] ?? text).replace(/:$/, '');
}

function notOptedIn(ref: PodTemplateRef, namespaces: ReadonlyMap<string, NamespaceInInput>): string | undefined {
  const namespace = ref.owner.namespace === undefined ? undefined : namespaces.get(ref.owner.namespace);
  if (namespace === undefined || namespace.labels[NAMESPACE_OPT_IN_LABEL] === NAMESPACE_OPT_IN_VALUE) return undefined;
  return `injected, but namespace ${ref.owner.namespace} (document ${namespace.index}) lacks the label ${NAMESPACE_OPT_IN_LABEL}: ${NAMESPACE_OPT_IN_VALUE}, so the webhook would not inject these pods`;
}

/** A document after the first needs its `---`; a re-rendered one carries its own unless it had none. */
function separated(previous: string | undefined, text: string): string {
  if (previous === undefined || /^(---|%)/.test(text) || previous.endsWith('...\n')) return text;
  return `---\n${text}`;
}

interface DocumentPlan {
  /** The patch of all its templates, addressed from the document's root. */
  readonly patch: readonly PatchOperation[];
  readonly label?: string;
  readonly errors: readonly string[];
  readonly warnings: readonly string[];
}

/** Runs every pod template of one document through the webhook's steps and gathers the results. */
function planDocument(source: ReadDocument, options: InjectorOptions, namespaces: ReadonlyMap<string, NamespaceInInput>): DocumentPlan {
  const patch: PatchOperation[] = [];
  const errors: string[] = [];
  const warnings: string[] = [];
  let label: string | undefined;
  for (const ref of findPodTemplates(source.value)) {
    const where = describeTemplate(source.index, ref);
    const result = injectPodTemplate(ref.template, ref.owner.namespace, options);
    if (!result.ok) {
      for (const problem of result.problems) errors.push(`${where}: ${problem.key !== undefined ? `${problem.key}: ` : ''}${problem.message}`);
      continue;
    }
    for (const warning of result.warnings) warnings.push(`${where}: ${warning}`);
    if (result.patch.length === 0) continue;
    const outside = result.injected ? notOptedIn(ref, namespaces) : undefined;
    if (outside !== undefined) warnings.push(`${where}: ${outside}`);
    label ??= where;
    const prefix = jsonPointer(ref.path);
    patch.push(...result.patch.map((op) => ({ ...op, path: `${prefix}${op.path}` })));
  }
  return { patch, errors, warnings, ...(label !== undefined && { label }) };
}

/**
 * `hookguard inject`'s pure core: every document of the stream, in order, with the sidecar added
 * to each pod template that asks for it, by the webhook's own injectPod. Everything is worked out
 * before anything is returned, so a problem anywhere means no output at all, never a partial one.
 */
export function injectDocuments(text: string, options: InjectorOptions): InjectResult {
  const errors: string[] = [];
  const warnings: string[] = [];
  const documents: ReadDocument[] = [];
  for (const source of readDocuments(text)) {
    const { document, index } = source;
    for (const warning of document.warnings) warnings.push(`document ${index}: ${firstLine(warning.message)}`);
    if (document.errors.length > 0) {
      for (const error of document.errors) errors.push(`document ${index}: not valid YAML: ${firstLine(error.message)}`);
      continue;
    }
    try {
      documents.push({ ...source, value: document.toJS() });
    } catch (error) {
      // Alias expansion past the library's limit: a "billion laughs" stream, or a broken one.
      errors.push(`document ${index}: cannot be read: ${firstLine((error as Error).message)}`);
    }
  }
  const namespaces = collectNamespaceLabels(documents);
  // One guess for the whole stream: documents of one file share a style, and a short one gives no clue.
  const style = detectYamlStyle(text);

  const results: InjectedDocument[] = [];
  for (const source of documents) {
    const plan = planDocument(source, options, namespaces);
    errors.push(...plan.errors);
    warnings.push(...plan.warnings);
    let output = source.source;
    // After the first error the output is never written: rendering more would be wasted work.
    if (plan.patch.length > 0 && errors.length === 0) {
      const rendered = renderInjectedDocument(source.document, source.source, plan.patch, style);
      if (rendered.rebuilt) {
        warnings.push(`document ${source.index}: YAML anchors, aliases or merge keys around its pod template: written back with them expanded`);
      }
      output = separated(results.at(-1)?.output, rendered.text);
    }
    results.push({ index: source.index, source: source.source, output, label: plan.label ?? `document ${source.index}` });
  }
  if (errors.length > 0) return { ok: false, errors, warnings };
  const output = results.length === 0 ? text : results.map((result) => result.output).join('');
  return { ok: true, output, documents: results, warnings };
}
