import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { runCli } from '../helpers/cli-process.js';
import { secretsDir } from '../helpers/sidecar.js';

const dir = secretsDir();
after(() => dir.remove());

function configFile(name: string, content: string): string {
  const path = join(dir.dir, name);
  writeFileSync(path, content);
  return path;
}

describe('hookguard check', () => {
  it('exits 0 with a one-line summary for the example config', async () => {
    const result = await runCli(['check', '--config', 'deploy/local/hookguard.yaml']);
    assert.equal(result.code, 0, result.stderr);
    const lines = result.stdout.trim().split('\n');
    assert.equal(lines.length, 1);
    assert.match(lines[0]!, /^ok: deploy\/local\/hookguard\.yaml: 3 hooks \(github:github, gitlab:gitlab, ci:none\); listen 127\.0\.0\.1:8080 -> http:\/\/127\.0\.0\.1:3000; state memory/);
  });

  it('reads JSON too, and HOOKGUARD_CONFIG stands in for --config', async () => {
    dir.secret('x');
    const path = configFile('c.json', JSON.stringify({ upstream: 'http://127.0.0.1:1', hooks: [{ name: 'g', path: '/g', provider: 'gitlab', secrets: [{ file: 'secret-0' }] }] }));
    const result = await runCli(['check'], { HOOKGUARD_CONFIG: path });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /1 hook \(g:gitlab\)/);
  });

  it('exits 1 listing every problem with its key path', async () => {
    const path = configFile('bad.yaml', 'listen: nowhere\nupstream: http://127.0.0.1:3000\nhooks:\n  - name: Bad Name\n    path: /x\n    provider: gitlab\n    secrets: ["inline-secret"]\n');
    const result = await runCli(['check', '--config', path]);
    assert.equal(result.code, 1);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /listen: expected HOST:PORT/);
    assert.match(result.stderr, /hooks\[0\]\.name: must match/);
    assert.match(result.stderr, /hooks\[0\]\.secrets\[0\]: secrets are never written inline/);
    assert.ok(!result.stderr.includes('inline-secret'), 'the inline value is not echoed');
  });

  it('exits 1 on YAML it cannot parse, naming the file', async () => {
    const path = configFile('broken.yaml', 'hooks: [\n');
    const result = await runCli(['check', '--config', path]);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /cannot parse .*broken\.yaml/);
  });

  it('exits 1 on a missing file and on an unknown flag', async () => {
    assert.equal((await runCli(['check', '--config', '/nonexistent.yaml'])).code, 1);
    const flag = await runCli(['check', '--confg', 'x']);
    assert.equal(flag.code, 1);
    assert.match(flag.stderr, /Unknown option '--confg'/);
  });

  it('sidecar refuses a bad config at start with exit 1 and the key path', async () => {
    const path = configFile('bad2.yaml', 'upstream: http://127.0.0.1:3000\nhooks:\n  - {name: a, path: /a, provider: none}\n');
    const result = await runCli(['sidecar', '--config', path, '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /hooks\[0\]\.token: is required when provider is none/);
  });

  it('flags override the file: a bad --upstream is reported as upstream', async () => {
    const result = await runCli(['check', '--config', 'deploy/local/hookguard.yaml', '--upstream', 'not a url']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /upstream: "not a url" is not a URL/);
  });
});
