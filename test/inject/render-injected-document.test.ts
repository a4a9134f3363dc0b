import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAllDocuments, parseDocument } from 'yaml';
import { detectYamlStyle } from '../../src/inject/detect-yaml-style.js';
import { MANIFEST_PARSE_OPTIONS } from '../../src/inject/manifest-yaml-options.js';
import { patchYamlDocument } from '../../src/inject/patch-yaml-document.js';
import { renderInjectedDocument } from '../../src/inject/render-injected-document.js';
import { restoreSourceLines } from '../../src/inject/restore-source-lines.js';
import type { PatchOperation } from '../../src/injector/render-patch.js';

function render(source: string, ops: PatchOperation[]) {
  const [document] = parseAllDocuments(source, MANIFEST_PARSE_OPTIONS);
  return renderInjectedDocument(document!, source, ops, detectYamlStyle(source));
}

describe('renderInjectedDocument', () => {
  it('replaces a scalar keeping its quotes and the comment beside it', () => {
    const source = 'ports:\n- name: "http"   # the Service targets this\n  containerPort: 3000\n';
    const { text, rebuilt } = render(source, [{ op: 'replace', path: '/ports/0/name', value: 'app-http' }]);
    assert.equal(rebuilt, false);
    assert.equal(text, 'ports:\n- name: "app-http" # the Service targets this\n  containerPort: 3000\n');
  });

  it('creates an absent list and appends to an existing one, in the document\'s own style', () => {
    const source = 'spec:\n    containers:\n        -   name: app\n';
    const { text } = render(source, [
      { op: 'add', path: '/spec/containers/-', value: { name: 'hookguard', args: ['a'] } },
      { op: 'add', path: '/spec/volumes', value: [{ name: 'v' }] },
    ]);
    assert.deepEqual(parseDocument(text).toJS(), { spec: { containers: [{ name: 'app' }, { name: 'hookguard', args: ['a'] }], volumes: [{ name: 'v' }] } });
    assert.match(text, /^    volumes:\n        - name: v\n$/m);
  });

  it('fills an empty value (`volumes:`) rather than adding a second key', () => {
    const { text } = render('spec:\n  volumes:\n  containers: []\n', [{ op: 'add', path: '/spec/volumes', value: [{ name: 'v' }] }]);
    assert.deepEqual(parseDocument(text).toJS(), { spec: { volumes: [{ name: 'v' }], containers: [] } });
  });

  it('escapes `/` in annotation keys as JSON Pointer does', () => {
    const { text } = render('metadata:\n  annotations:\n    a: b\n', [{ op: 'add', path: '/metadata/annotations/hookguard.io~1status', value: 'injected' }]);
    assert.equal(text, 'metadata:\n  annotations:\n    a: b\n    hookguard.io/status: injected\n');
  });

  it('writes new nodes without YAML aliases, even for objects the patch shares', () => {
    const shared = { path: '/readyz', port: 'hookguard-admin' };
    const { text } = render('spec: {}\n', [{ op: 'add', path: '/spec/probes', value: [{ httpGet: shared }, { httpGet: shared }] }]);
    assert.doesNotMatch(text, /[&*]a\d/);
  });

  it('writes the document from its data when the edit would go through an alias', () => {
    const source = '# head\nitems:\n- metadata:\n    annotations: &shared {a: b}\n- metadata:\n    annotations: *shared\n';
    const { text, rebuilt } = render(source, [{ op: 'add', path: '/items/0/metadata/annotations/x', value: 'y' }]);
    assert.equal(rebuilt, true);
    assert.deepEqual(parseDocument(text).toJS(), { items: [{ metadata: { annotations: { a: 'b', x: 'y' } } }, { metadata: { annotations: { a: 'b' } } }] });
    assert.ok(text.startsWith('# head\n'));
  });

  it('writes the document from its data when the edited key comes from a merge key', () => {
    const source = 'base: &base\n  annotations: {a: b}\nmetadata:\n  <<: *base\n';
    const { text, rebuilt } = render(source, [{ op: 'add', path: '/metadata/annotations/x', value: 'y' }]);
    assert.equal(rebuilt, true);
    assert.deepEqual(parseDocument(text, MANIFEST_PARSE_OPTIONS).toJS(), { base: { annotations: { a: 'b' } }, metadata: { annotations: { a: 'b', x: 'y' } } });
  });

  it('keeps the `...` end of a document', () => {
    const { text } = render('a: 1\n...\n', [{ op: 'add', path: '/b', value: 2 }]);
    assert.equal(text, 'a: 1\nb: 2\n...\n');
  });
});

describe('patchYamlDocument', () => {
  it('refuses, rather than guesses, a path that is not there', () => {
    const document = parseDocument('a: {b: 1}\n');
    assert.deepEqual(patchYamlDocument(document, [{ op: 'replace', path: '/a/c', value: 2 }]), { ok: false, reason: 'replace /a/c: nothing to replace' });
    assert.equal(patchYamlDocument(document, [{ op: 'add', path: '/x/y', value: 2 }]).ok, false);
  });
});

describe('restoreSourceLines', () => {
  it('puts back the spacing of lines that only the printer changed', () => {
    const source = 'name: web      # why\nport: http\n';
    assert.equal(restoreSourceLines(source, 'name: web # why\nport: app-http\n'), 'name: web      # why\nport: app-http\n');
  });

  it('drops blank lines the printer added', () => {
    assert.equal(restoreSourceLines('a: 1\n# tail\n', 'a: 1\nb: 2\n\n# tail\n'), 'a: 1\nb: 2\n# tail\n');
  });
});

describe('detectYamlStyle', () => {
  it('reads kubectl\'s style: two spaces, sequences flush with their key, tight flow collections', () => {
    assert.deepEqual(detectYamlStyle('a:\n  b:\n  - c\n  d: {e: 1}\n'), { indent: 2, indentSeq: false, flowCollectionPadding: false, lineWidth: 0 });
  });

  it('reads four spaces, indented sequences and padded flow collections', () => {
    assert.deepEqual(detectYamlStyle('a:\n    b:\n        - c\n    d: { e: 1 }\n'), { indent: 4, indentSeq: true, flowCollectionPadding: true, lineWidth: 0 });
  });

  it('measures a key inside a list item from the key, not the dash', () => {
    assert.equal(detectYamlStyle('items:\n- env:\n  - name: A\n').indentSeq, false);
  });
});
