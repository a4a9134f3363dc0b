import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, mkdirSync, writeFileSync, symlinkSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadVersionedSidecarConfig } from '../../src/config/load-sidecar-config.js';
import { runSidecar, type SidecarHandle } from '../../src/sidecar/run-sidecar.js';
import { watchConfig } from '../../src/sidecar/watch-config.js';
import { startUpstream } from '../helpers/upstream.js';
import { send } from '../helpers/http-client.js';
import { captureLogger } from '../helpers/log-sink.js';
import { sample, scrape } from '../helpers/metrics.js';

/**
 * A mounted ConfigMap as the kubelet writes it: files are symlinks into `..data`, itself a symlink
 * to a timestamped folder; an update writes a new folder and renames a new `..data` over the old.
 */
class ProjectedVolume {
  private n = 0;
  constructor(readonly dir: string) {}
  write(files: Record<string, string>): void {
    const version = `..v${this.n++}`;
    mkdirSync(join(this.dir, version));
    for (const [name, content] of Object.entries(files)) writeFileSync(join(this.dir, version, name), content);
    symlinkSync(version, join(this.dir, '..data_tmp'));
    renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
    for (const name of Object.keys(files)) {
      try {
        symlinkSync(join('..data', name), join(this.dir, name));
      } catch {
        // Already linked through ..data.
      }
    }
  }
}

const config = (hooks: object[]) => JSON.stringify({ upstream: 'UPSTREAM', hooks });

describe('live reload of config and secrets', () => {
  let root: string;
  let volume: ProjectedVolume;
  let secretsVolume: ProjectedVolume;
  let app: Awaited<ReturnType<typeof startUpstream>>;
  let handle: SidecarHandle;
  let watcher: ReturnType<typeof watchConfig>;
  const log = captureLogger();
  let url: string;
  let adminUrl: string;
  const path = () => join(root, 'config', 'hookguard.json');
  const hookA = () => ({ name: 'a', path: '/hooks/a', provider: 'gitlab', secrets: [{ file: join(root, 'secrets', 'a') }] });
  const writeConfig = (hooks: object[]) => volume.write({ 'hookguard.json': config(hooks).replace('UPSTREAM', app.url) });
  const post = (hook: string, token: string) => send(`${url}/hooks/${hook}`, { headers: { 'content-type': 'application/json', 'x-gitlab-token': token }, body: '{}' });
  const eventually = async (what: () => Promise<boolean>, message: string) => {
    const deadline = Date.now() + 5_000;
    while (Date.now() < deadline) {
      if (await what()) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    assert.fail(message);
  };

  before(async () => {
    root = mkdtempSync(join(tmpdir(), 'hookguard-reload-'));
    mkdirSync(join(root, 'config'));
    mkdirSync(join(root, 'secrets'));
    volume = new ProjectedVolume(join(root, 'config'));
    secretsVolume = new ProjectedVolume(join(root, 'secrets'));
    app = await startUpstream();
    secretsVolume.write({ a: 'secret-one', b: 'secret-b' });
    writeConfig([hookA()]);
    const first = loadVersionedSidecarConfig(path(), { listen: '127.0.0.1:0', admin: '127.0.0.1:0' }, {});
    handle = await runSidecar(first.config, { logger: log.logger });
    url = `http://127.0.0.1:${handle.listen.port}`;
    adminUrl = `http://127.0.0.1:${handle.admin.port}`;
    watcher = watchConfig({
      path: path(),
      load: () => loadVersionedSidecarConfig(path(), { listen: '127.0.0.1:0', admin: '127.0.0.1:0' }, {}),
      initialFingerprint: first.fingerprint,
      apply: (next) => handle.reload(next),
      logger: log.logger,
      reloads: handle.deps.metrics.configReloads,
      intervalMs: 500,
      folders: [join(root, 'secrets')],
      files: () => [path(), join(root, 'secrets', 'a'), join(root, 'secrets', 'b')],
    });
  });

  after(async () => {
    watcher.close();
    await handle.shutdown();
    await app.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('applies a new hook from a ConfigMap symlink swap, without dropping a request meanwhile', async () => {
    let stop = false;
    const statuses: number[] = [];
    const traffic = (async () => {
      while (!stop) statuses.push((await post('a', 'secret-one')).status);
    })();
    writeConfig([hookA(), { name: 'b', path: '/hooks/b', provider: 'gitlab', secrets: [{ file: join(root, 'secrets', 'b') }] }]);
    await eventually(async () => (await post('b', 'secret-b')).status === 200, 'hook b never became active');
    stop = true;
    await traffic;
    assert.ok(statuses.length > 0);
    assert.deepEqual([...new Set(statuses)], [200], 'every request during the reload was answered normally');
    assert.equal(sample(await scrape(adminUrl), 'hookguard_config_reloads_total', { result: 'applied' }), 1);
    assert.ok(log.records().some((r) => r.event === 'config_applied'));
  });

  it('picks up a rotated secret file: the new secret works, the old one stops', async () => {
    secretsVolume.write({ a: 'secret-two', b: 'secret-b' });
    await eventually(async () => (await post('a', 'secret-two')).status === 200, 'the new secret was never accepted');
    assert.equal((await post('a', 'secret-one')).status, 401);
  });

  it('refuses an invalid config, counts and logs it once, and keeps serving the running version', async () => {
    volume.write({ 'hookguard.json': '{"upstream": "http://127.0.0.1:1", "hooks": [{"name": "BAD"}]}' });
    await eventually(async () => sample(await scrape(adminUrl), 'hookguard_config_reloads_total', { result: 'refused' }) === 1, 'the bad config was not refused');
    await new Promise((r) => setTimeout(r, 1_200));
    assert.equal(sample(await scrape(adminUrl), 'hookguard_config_reloads_total', { result: 'refused' }), 1, 'counted once, not once per poll');
    assert.equal((await post('a', 'secret-two')).status, 200);
    assert.equal((await post('b', 'secret-b')).status, 200);
    const refusal = log.records().find((r) => r.event === 'config_refused')!;
    assert.match(String(refusal.msg), /hooks\[0\]\.name/);
  });
});
