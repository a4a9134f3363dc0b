import type { CreateNodeOptions, DocumentOptions, ParseOptions, SchemaOptions } from 'yaml';

/**
 * How manifests are read. kubectl decodes YAML with go-yaml, which follows YAML 1.1: `yes`/`on` are
 * booleans, `010` is octal, `<<` merges. Reading with the same rules means an annotation written
 * `hookguard.io/inject: yes` is seen as the boolean kubectl would refuse, not as a string kubectl
 * never sees, and that numbers keep their 1.1 spelling when a changed document is written back.
 */
export const MANIFEST_PARSE_OPTIONS: ParseOptions & DocumentOptions & SchemaOptions = Object.freeze({
  version: '1.1',
  prettyErrors: true,
  strict: true,
  uniqueKeys: true,
});

/**
 * How new nodes (the sidecar, its volumes) are made. The injection reuses frozen default objects in
 * several places; with the library's default those would come out as YAML anchors and aliases.
 */
export const NEW_NODE_OPTIONS: CreateNodeOptions = Object.freeze({ aliasDuplicateObjects: false });
