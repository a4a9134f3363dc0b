import { parseAllDocuments, type Document } from 'yaml';
import { MANIFEST_PARSE_OPTIONS } from './manifest-yaml-options.js';

export interface SourceDocument {
  /** Counted from 1, in input order: what errors and diffs call the document. */
  readonly index: number;
  readonly document: Document.Parsed;
  /**
   * The exact input text of this document, with its `---` line and the comments around it. The
   * sources of all documents put together are the input, byte for byte, so a document the
   * injection does not change is written back from its source, not re-rendered.
   */
  readonly source: string;
}

/** Splits a YAML stream into its documents, each with its source text. Pure. */
export function readDocuments(text: string): SourceDocument[] {
  const documents = Array.from(parseAllDocuments(text, MANIFEST_PARSE_OPTIONS));
  return documents.map((document, i) => {
    const start = i === 0 ? 0 : document.range[0];
    const next = documents[i + 1];
    const end = next === undefined ? text.length : next.range[0];
    return { index: i + 1, document, source: text.slice(start, end) };
  });
}
