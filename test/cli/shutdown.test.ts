import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startUpstream } from '../helpers/upstream.js';
import { secretsDir } from '../helpers/sidecar.js';
import { send } from '../helpers/http-client.js';
import { spawnSidecar } from '../helpers/cli-process.js';

const TOKEN = 'tok_shutdown_0123456789abcdefghijklm';

describe('graceful shutdown on SIGTERM', () => {
  it('finishes every in-flight request, refuses new ones with 503, turns unready and exits 0', async () => {
    const secrets = secretsDir();
    const app = await startUpstream((_req, res) => void setTimeout(() => res.writeHead(200).end('done'), 600));
    const config = join(secrets.dir, 'hookguard.yaml');
    writeFileSync(config, JSON.stringify({ upstream: app.url, timeouts: { shutdownSeconds: 10 }, hooks: [{ name: 'ci', path: '/hooks/ci', provider: 'none', token: { file: secrets.secret(TOKEN).file } }] }));
    const sidecar = await spawnSidecar(config);
    try {
      const url = `${sidecar.url}/hooks/ci/${TOKEN}`;
      const inFlight = Array.from({ length: 20 }, (_, i) => send(url, { headers: { 'content-type': 'application/json' }, body: `{"i":${i}}` }));
      // Let all twenty reach the app before the signal.
      while (app.received.length < 20) await new Promise((r) => setTimeout(r, 10));
      sidecar.child.kill('SIGTERM');
      await new Promise((r) => setTimeout(r, 150));
      const ready = await fetch(`${sidecar.adminUrl}/readyz`);
      assert.equal(ready.status, 503);
      const late = await send(url, { headers: { 'content-type': 'application/json' }, body: '{}' }).then((a) => a.status, (e: NodeJS.ErrnoException) => e.code);
      assert.ok(late === 503 || late === 'ECONNREFUSED', `a request after SIGTERM is refused, not served half-way (got ${late})`);
      const answers = await Promise.all(inFlight);
      assert.deepEqual(answers.map((a) => a.status), answers.map(() => 200), 'no in-flight request is lost or reset');
      assert.deepEqual(answers.map((a) => a.headers.connection), answers.map(() => 'close'), 'answers written while draining ask the client to reconnect elsewhere');
      assert.deepEqual(answers.map((a) => a.text), answers.map(() => 'done'));
      assert.equal(await sidecar.exited, 0);
      assert.match(sidecar.output(), /"event":"stopped"/);
    } finally {
      sidecar.child.kill('SIGKILL');
      await app.close();
      secrets.remove();
    }
  });
});
