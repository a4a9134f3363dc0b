import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { readDocuments } from '../../src/inject/read-documents.js';
import { applyUnifiedDiff } from './apply-unified-diff.js';
import { INJECTOR_CONFIG, runInject, type InjectRun } from './run-inject.js';
import { assertValidManifests } from './validate-manifests.js';

/**
 * Each case directory holds `in.yaml` and what `hookguard inject -f in.yaml --config
 * fixtures/injector.yaml` must make of it: `out.yaml` and `out.diff` (the `--diff` output) when it
 * succeeds, and `stderr.txt` for its warnings or errors. A case without `out.yaml` must fail with
 * exit code 1 and write nothing to standard output. `UPDATE_GOLDEN=1` rewrites the expected files.
 */
const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';

const REQUIRED_CASES = [
  'pod',
  'deployment',
  'statefulset',
  'daemonset-plain-sidecar',
  'replicaset',
  'job',
  'cronjob',
  'list',
  'multi-document',
  'pass-through',
  'comments',
  'already-injected',
  'bad-annotation',
];

/** Cases whose output must be their input, byte for byte. */
const UNCHANGED = new Set(['pass-through', 'already-injected', 'own-namespace']);

const cases = readdirSync(GOLDEN, { withFileTypes: true })
  .filter((entry) => entry.isDirectory())
  .map((entry) => entry.name)
  .sort();

function read(file: string): string | undefined {
  return existsSync(file) ? readFileSync(file, 'utf8') : undefined;
}

function write(file: string, text: string | undefined): void {
  if (text === undefined || text === '') rmSync(file, { force: true });
  else writeFileSync(file, text);
}

/** `--- /abs/path/in.yaml` would make the golden diff depend on where the repository is. */
function withoutDir(text: string, dir: string): string {
  return text.replaceAll(`${dir}/`, '');
}

function comments(yaml: string): string[] {
  return [...yaml.matchAll(/(?:^|\s)(#.*)$/gm)].map((m) => m[1]!.replace(/^#\s*/, '').trim()).filter((c) => c !== '');
}

describe('hookguard inject golden cases', () => {
  it('has a case for every workload kind and every stream case', () => {
    for (const name of REQUIRED_CASES) assert.ok(cases.includes(name), `missing golden case ${name}`);
  });

  for (const name of cases) {
    describe(name, () => {
      const dir = join(GOLDEN, name).replace(/\/$/, '');
      const input = join(dir, 'in.yaml');
      const source = readFileSync(input, 'utf8');
      let run: InjectRun;
      let diff: InjectRun;

      before(async () => {
        run = await runInject(['-f', input, '--config', INJECTOR_CONFIG]);
        diff = await runInject(['-f', input, '--config', INJECTOR_CONFIG, '--diff']);
        if (UPDATE) {
          write(join(dir, 'out.yaml'), run.code === 0 ? run.stdout : undefined);
          write(join(dir, 'out.diff'), run.code === 0 ? withoutDir(diff.stdout, dir) : undefined);
          write(join(dir, 'stderr.txt'), withoutDir(run.stderr, dir));
        }
      });

      const expected = read(join(dir, 'out.yaml'));

      if (expected === undefined) {
        it('exits 1 and writes nothing to standard output', () => {
          assert.equal(run.code, 1, run.stderr);
          assert.equal(run.stdout, '');
          assert.equal(diff.code, 1);
          assert.equal(diff.stdout, '');
        });

        it('writes the golden errors, naming document, kind, name and annotation', () => {
          assert.equal(withoutDir(run.stderr, dir), read(join(dir, 'stderr.txt')) ?? '');
          assert.match(run.stderr, /^hookguard inject: document \d+ \(\w+ [^)]+\)( at [\w.]+)?: hookguard\.io\/[a-z-]+: /m);
        });
        return;
      }

      it('exits 0 and writes the golden output', () => {
        assert.equal(run.code, 0, run.stderr);
        assert.equal(run.stdout, expected);
      });

      if (UNCHANGED.has(name)) {
        it('writes its input unchanged, byte for byte', () => {
          assert.equal(run.stdout, source);
        });
      }

      it('writes the golden warnings, and nothing else, to standard error', () => {
        assert.equal(withoutDir(run.stderr, dir), read(join(dir, 'stderr.txt')) ?? '');
      });

      it('writes the golden --diff', () => {
        assert.equal(diff.code, 0, diff.stderr);
        assert.equal(withoutDir(diff.stdout, dir), read(join(dir, 'out.diff')) ?? '');
      });

      it('gives a --diff that turns the input into the output', () => {
        assert.equal(applyUnifiedDiff(source, diff.stdout), run.stdout);
      });

      it('writes objects that pass the Kubernetes schemas', () => {
        const checked = assertValidManifests(run.stdout);
        if (run.stdout !== source) assert.ok(checked > 0, 'some injected template was checked');
      });

      it('changes nothing when run again on its own output', async () => {
        const again = await runInject(['-f', '-', '--config', INJECTOR_CONFIG], run.stdout);
        assert.equal(again.code, 0, again.stderr);
        assert.equal(again.stdout, run.stdout);
      });

      it('writes every document it does not change byte for byte, in order', () => {
        const before = readDocuments(source);
        const after = readDocuments(run.stdout);
        assert.equal(after.length, before.length);
        for (const [i, document] of before.entries()) {
          if (isDeepStrictEqual(document.document.toJS(), after[i]!.document.toJS())) assert.equal(after[i]!.source, document.source, `document ${i + 1}`);
        }
      });

      it('keeps every comment', () => {
        const kept = comments(run.stdout);
        for (const comment of comments(source)) assert.ok(kept.includes(comment), `comment ${JSON.stringify(comment)} is kept`);
      });
    });
  }
});
