import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { DEFAULT_INJECTOR_OPTIONS } from '../../src/injector/injector-options.js';
import { MANIFEST_PARSE_OPTIONS } from '../../src/inject/manifest-yaml-options.js';
import { INJECTOR_CONFIG, runInject } from './run-inject.js';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
const GOLDEN = fileURLToPath(new URL('./golden/', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'hookguard-inject-'));
after(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, content: string): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const DEPLOYMENT = readFileSync(join(GOLDEN, 'deployment', 'in.yaml'), 'utf8');
const DEPLOYMENT_OUT = readFileSync(join(GOLDEN, 'deployment', 'out.yaml'), 'utf8');
const CONFIG_MAP = 'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: settings\ndata:\n  a: "1"\n';

function sidecarOf(yaml: string): Record<string, any> {
  const [document] = parseAllDocuments(yaml, MANIFEST_PARSE_OPTIONS);
  const containers = (document!.toJS() as any).spec.template.spec.initContainers as Record<string, any>[];
  return containers.find((c) => c.name === 'hookguard')!;
}

describe('hookguard inject: input and output', () => {
  it('reads standard input with -f - and writes the same as with a file', async () => {
    const fromStdin = await runInject(['-f', '-', '--config', INJECTOR_CONFIG], DEPLOYMENT);
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    assert.equal(fromStdin.stdout, DEPLOYMENT_OUT);
    assert.equal(fromStdin.stderr, '');
  });

  it('takes --file and -c as the long and short spellings', async () => {
    const path = file('deployment.yaml', DEPLOYMENT);
    const result = await runInject(['--file', path, '-c', INJECTOR_CONFIG]);
    assert.equal(result.stdout, DEPLOYMENT_OUT);
  });

  it('uses the built-in injector defaults without --config', async () => {
    const result = await runInject(['-f', '-'], DEPLOYMENT);
    assert.equal(result.code, 0, result.stderr);
    const sidecar = sidecarOf(result.stdout);
    assert.equal(sidecar.image, DEFAULT_INJECTOR_OPTIONS.sidecar.image);
    assert.deepEqual(sidecar.resources, DEFAULT_INJECTOR_OPTIONS.sidecar.resources);
    assert.equal(sidecar.env.some((e: any) => e.name === 'HOOKGUARD_REDIS_URL'), false, 'no Redis unless configured');
  });

  it('accepts the injector\'s own config file, tls and all', async () => {
    const config = file(
      'injector.yaml',
      'listen: "0.0.0.0:8443"\ntls: {certFile: /tls/tls.crt, keyFile: /tls/tls.key}\nsidecar:\n  image: registry.example/hookguard:9.9.9\n  nativeSidecar: false\n',
    );
    const result = await runInject(['-f', '-', '--config', config], DEPLOYMENT);
    assert.equal(result.code, 0, result.stderr);
    const [document] = parseAllDocuments(result.stdout, MANIFEST_PARSE_OPTIONS);
    const containers = (document!.toJS() as any).spec.template.spec.containers as { name: string; image: string }[];
    assert.deepEqual(containers.at(-1), { ...containers.at(-1), name: 'hookguard', image: 'registry.example/hookguard:9.9.9' });
  });

  it('does not take POD_NAMESPACE as the injector\'s own namespace: only the config\'s namespace counts', async () => {
    const result = await runInject(['-f', '-'], DEPLOYMENT, { POD_NAMESPACE: 'shop' });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /hookguard\.io\/status: injected/);
  });

  it('passes empty and comment-only input through', async () => {
    for (const input of ['', '# nothing yet\n', '---\n']) {
      const result = await runInject(['-f', '-'], input);
      assert.equal(result.code, 0, result.stderr);
      assert.equal(result.stdout, input);
    }
  });

  it('keeps CRLF documents it does not change byte for byte', async () => {
    const crlf = CONFIG_MAP.replaceAll('\n', '\r\n');
    const result = await runInject(['-f', '-', '--config', INJECTOR_CONFIG], `${crlf}---\r\n${DEPLOYMENT.replaceAll('\n', '\r\n')}`);
    assert.equal(result.code, 0, result.stderr);
    assert.ok(result.stdout.startsWith(`${crlf}---`));
    const documents = parseAllDocuments(result.stdout, MANIFEST_PARSE_OPTIONS);
    assert.deepEqual(documents.map((d) => d.errors.length), [0, 0]);
    assert.equal(sidecarOf(result.stdout.slice(crlf.length)).name, 'hookguard');
  });

  it('warns when the input\'s own Namespace is not opted in to the webhook', async () => {
    const namespace = 'apiVersion: v1\nkind: Namespace\nmetadata:\n  name: shop\n---\n';
    const result = await runInject(['-f', '-', '--config', INJECTOR_CONFIG], `${namespace}${DEPLOYMENT}`);
    assert.equal(result.code, 0);
    assert.equal(
      result.stderr,
      'hookguard inject: warning: document 2 (Deployment shop/web) at spec.template: injected, but namespace shop (document 1) lacks the label hookguard.io/injection: enabled, so the webhook would not inject these pods\n',
    );
  });
});

describe('hookguard inject: --diff', () => {
  it('names the file in its header, and <stdin> for -f -', async () => {
    const path = file('for-diff.yaml', DEPLOYMENT);
    const named = await runInject(['-f', path, '--diff', '--config', INJECTOR_CONFIG]);
    assert.ok(named.stdout.startsWith(`--- ${path}\n+++ ${path}\n@@ `), named.stdout.slice(0, 200));
    const piped = await runInject(['-f', '-', '--diff', '--config', INJECTOR_CONFIG], DEPLOYMENT);
    assert.ok(piped.stdout.startsWith('--- <stdin>\n+++ <stdin>\n@@ '));
  });

  it('prints nothing and exits 0 when nothing changes', async () => {
    const result = await runInject(['-f', '-', '--diff'], CONFIG_MAP);
    assert.deepEqual(result, { code: 0, stdout: '', stderr: '' });
  });
});

describe('hookguard inject: failures write nothing to standard output', () => {
  const table: { name: string; args: string[]; stdin?: string; stderr: RegExp }[] = [
    { name: 'no -f', args: [], stderr: /^hookguard inject: needs -f FILE \(or -f - for standard input\)\nUsage: hookguard inject/ },
    { name: 'an unknown flag', args: ['-f', '-', '--dry-run'], stderr: /^hookguard inject: Unknown option '--dry-run'/ },
    { name: 'a positional argument', args: ['app.yaml'], stderr: /^hookguard inject: Unexpected argument 'app.yaml'/ },
    { name: 'a missing file', args: ['-f', '/nonexistent/app.yaml'], stderr: /^hookguard inject: cannot read \/nonexistent\/app\.yaml: ENOENT\n$/ },
    { name: 'a missing config', args: ['-f', '-', '--config', '/nonexistent/injector.yaml'], stdin: DEPLOYMENT, stderr: /cannot read \/nonexistent\/injector\.yaml: ENOENT/ },
    {
      name: 'a YAML syntax error, named by its document',
      args: ['-f', '-'],
      stdin: `${CONFIG_MAP}---\nkind: Pod\nmetadata: {name: [}\n`,
      stderr: /^hookguard inject: document 2: not valid YAML: .* at line 9, column \d+/m,
    },
    {
      name: 'a duplicate key',
      args: ['-f', '-'],
      stdin: `${DEPLOYMENT}---\n${CONFIG_MAP}data: {}\n`,
      stderr: /^hookguard inject: document 2: not valid YAML: Map keys must be unique/m,
    },
    {
      name: 'a pod spec of the wrong shape',
      args: ['-f', '-'],
      stdin: 'apiVersion: v1\nkind: Pod\nmetadata: {name: p, annotations: {hookguard.io/inject: "true"}}\nspec: {containers: [{image: x}]}\n',
      stderr: /^hookguard inject: document 1 \(Pod p\): spec\.containers\[0\]\.name must be a string$/m,
    },
  ];
  for (const row of table) {
    it(`exits 1 on ${row.name}`, async () => {
      const result = await runInject(row.args, row.stdin ?? '');
      assert.equal(result.code, 1, result.stderr);
      assert.equal(result.stdout, '');
      assert.match(result.stderr, row.stderr);
    });
  }

  it('names every problem of a bad config with its key path', async () => {
    const config = file('bad-injector.yaml', 'sidecar:\n  image: ""\n  nativeSidecar: "yes"\n  resources: {requests: {memory: 2Gi}}\nport: 1\n');
    const result = await runInject(['-f', '-', '--config', config], DEPLOYMENT);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    for (const path of ['sidecar.image', 'sidecar.nativeSidecar', 'sidecar.resources.requests.memory', 'port']) {
      assert.match(result.stderr, new RegExp(`^  ${path.replaceAll('.', '\\.')}: `, 'm'));
    }
  });

  it('writes nothing even when only the last document is bad', async () => {
    const bad = DEPLOYMENT.replace('hookguard.io/secret: web-hook-secrets', 'hookguard.io/secret: Not_A_Name');
    const result = await runInject(['-f', '-'], `${DEPLOYMENT}---\n${CONFIG_MAP}---\n${bad}`);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /^hookguard inject: document 3 \(Deployment shop\/web\) at spec\.template: hookguard\.io\/secret: "Not_A_Name" is not accepted/m);
    assert.match(result.stderr, /^hookguard inject: nothing written: 1 problem$/m);
  });
});

describe('hookguard inject: help', () => {
  it('prints its usage to standard output and exits 0', async () => {
    const result = await runInject(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: hookguard inject -f FILE\|- \[--config INJECTOR_CONFIG\] \[--diff\]\n/);
  });
});

describe('hookguard inject as a process', () => {
  it('runs from the hookguard CLI: exit 0 and the injected YAML on standard output', async () => {
    const input = join(GOLDEN, 'multi-document', 'in.yaml');
    const expected = readFileSync(join(GOLDEN, 'multi-document', 'out.yaml'), 'utf8');
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'inject', '-f', input, '--config', INJECTOR_CONFIG], {
      cwd: REPO,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise<number | null>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', resolve);
    });
    assert.equal(code, 0, stderr);
    assert.equal(stderr, '');
    assert.equal(stdout, expected);
  });
});
