import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import jsonpatch from 'fast-json-patch';
import { buildSidecar } from '../../src/injector/build-sidecar.js';
import { jsonPointer } from '../../src/injector/json-pointer.js';
import type { Pod } from '../../src/injector/pod-types.js';
import { renderPatch } from '../../src/injector/render-patch.js';
import type { SidecarOptions } from '../../src/injector/resolve-options.js';

const OPTIONS: SidecarOptions = {
  image: 'hookguard:test',
  native: true,
  port: 8080,
  upstreamPort: 3000,
  configMap: 'hooks',
  resources: {},
};

function render(pod: Record<string, unknown>, native = true) {
  const options = { ...OPTIONS, native };
  const typed = pod as Pod;
  const ops = renderPatch(typed, buildSidecar(typed, options, undefined), undefined);
  const out = jsonpatch.applyPatch(structuredClone(pod), jsonpatch.deepClone(ops), true, false).newDocument as any;
  return { ops, out };
}

describe('jsonPointer', () => {
  const cases: [(string | number)[], string][] = [
    [['metadata', 'annotations', 'hookguard.io/status'], '/metadata/annotations/hookguard.io~1status'],
    [['metadata', 'annotations', 'a~b/c'], '/metadata/annotations/a~0b~1c'],
    [['metadata', 'annotations', '~1'], '/metadata/annotations/~01'],
    [['spec', 'containers', 0, 'ports', '-'], '/spec/containers/0/ports/-'],
    [[], ''],
  ];
  for (const [tokens, pointer] of cases) {
    it(`escapes ${JSON.stringify(tokens)} as ${pointer}`, () => {
      assert.equal(jsonPointer(tokens), pointer);
      const back = pointer === '' ? [] : pointer.slice(1).split('/').map((t) => jsonpatch.unescapePathComponent(t));
      assert.deepEqual(back, tokens.map(String), 'fast-json-patch reads the tokens back');
    });
  }
});

describe('renderPatch', () => {
  it('creates metadata.annotations when the pod has none', () => {
    const { ops, out } = render({ metadata: { name: 'p' }, spec: { containers: [{ name: 'web' }] } });
    assert.ok(ops.some((op) => op.path === '/metadata/annotations'));
    assert.deepEqual(out.metadata.annotations, { 'hookguard.io/status': 'injected' });
  });

  it('creates metadata when the pod has none', () => {
    const { out } = render({ spec: { containers: [{ name: 'web' }] } });
    assert.deepEqual(out.metadata, { annotations: { 'hookguard.io/status': 'injected' } });
  });

  it('adds the status next to annotations whose keys hold / and ~', () => {
    const { ops, out } = render({ metadata: { annotations: { 'a/b': '1', 'c~d': '2' } }, spec: { containers: [{ name: 'web' }] } });
    assert.ok(ops.some((op) => op.path === '/metadata/annotations/hookguard.io~1status'));
    assert.deepEqual(out.metadata.annotations, { 'a/b': '1', 'c~d': '2', 'hookguard.io/status': 'injected' });
  });

  it('creates spec.initContainers and spec.volumes when absent or null', () => {
    for (const spec of [{ containers: [{ name: 'web' }] }, { containers: [{ name: 'web' }], initContainers: null, volumes: null }]) {
      const { out } = render({ metadata: {}, spec });
      assert.deepEqual(out.spec.initContainers.map((c: any) => c.name), ['hookguard']);
      assert.deepEqual(out.spec.volumes.map((v: any) => v.name), ['hookguard-config']);
    }
  });

  it('appends a native sidecar after the existing init containers', () => {
    const { out } = render({ metadata: {}, spec: { initContainers: [{ name: 'a' }, { name: 'b' }], containers: [{ name: 'web' }] } });
    assert.deepEqual(out.spec.initContainers.map((c: any) => c.name), ['a', 'b', 'hookguard']);
  });

  it('appends a plain sidecar after the app containers, leaving init containers alone', () => {
    const { ops, out } = render({ metadata: {}, spec: { initContainers: [{ name: 'a' }], containers: [{ name: 'web' }] } }, false);
    assert.deepEqual(out.spec.containers.map((c: any) => c.name), ['web', 'hookguard']);
    assert.deepEqual(out.spec.initContainers.map((c: any) => c.name), ['a']);
    assert.ok(ops.every((op) => !op.path.startsWith('/spec/initContainers')));
  });

  it('never removes anything', () => {
    const { ops } = render({ metadata: { annotations: {} }, spec: { containers: [{ name: 'web' }], volumes: [{ name: 'v' }] } });
    assert.ok(ops.every((op) => op.op === 'add' || op.op === 'replace'));
  });
});
