import { isDeepStrictEqual } from 'node:util';
import { parseDocument, type Document, type ToStringOptions } from 'yaml';
import type { PatchOperation } from '../injector/render-patch.js';
import { applyJsonPatch } from './apply-json-patch.js';
import { carryOverComments } from './carry-over-comments.js';
import { MANIFEST_PARSE_OPTIONS, NEW_NODE_OPTIONS } from './manifest-yaml-options.js';
import { patchYamlDocument } from './patch-yaml-document.js';
import { restoreSourceLines } from './restore-source-lines.js';

export interface RenderedDocument {
  readonly text: string;
  /**
   * True when the nodes could not be edited in place (anchors, aliases or merge keys on the way
   * to the template) and the document was written from its data: same meaning, with its comments,
   * but with anchors and aliases expanded.
   */
  readonly rebuilt: boolean;
}

function readsBackAs(text: string, expected: unknown): boolean {
  const reread = parseDocument(text, MANIFEST_PARSE_OPTIONS);
  return reread.errors.length === 0 && isDeepStrictEqual(reread.toJS(), expected);
}

/** Document#clone forgets the `...` end marker, and a stream may need it to stay one stream. */
function cloneDocument(document: Document.Parsed): Document {
  const copy: Document = document.clone();
  if (copy.directives !== undefined) copy.directives.docEnd = document.directives.docEnd;
  return copy;
}

/**
 * Writes a document back with the patch applied. The patch is applied twice: to the YAML nodes,
 * which keeps comments and layout, and to the plain data, which is what the webhook's answer makes
 * of the pod. The text is accepted only if it reads back as that data, so a YAML construct the
 * node edit handles wrongly can cost comments but never change what is applied.
 */
export function renderInjectedDocument(
  document: Document.Parsed,
  source: string,
  ops: readonly PatchOperation[],
  style: ToStringOptions,
): RenderedDocument {
  const expected = applyJsonPatch(document.toJS(), ops);

  const edited = cloneDocument(document);
  if (patchYamlDocument(edited, ops).ok) {
    const text = edited.toString(style);
    const restored = restoreSourceLines(source, text);
    if (readsBackAs(restored, expected)) return { text: restored, rebuilt: false };
    if (readsBackAs(text, expected)) return { text, rebuilt: false };
  }
  // Only the contents are replaced: the `---` line and directives stay, comments are carried over.
  const rebuilt = cloneDocument(document);
  const contents = rebuilt.createNode(expected, NEW_NODE_OPTIONS);
  carryOverComments(document.contents, contents);
  rebuilt.contents = contents;
  const text = rebuilt.toString(style);
  if (readsBackAs(text, expected)) return { text, rebuilt: true };
  throw new Error('renderInjectedDocument: the written document does not read back as the injected data');
}
