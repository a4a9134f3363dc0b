import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { secretsDir } from '../helpers/sidecar.js';
import { deadPort } from '../helpers/upstream.js';
import { REPO } from '../helpers/cli-process.js';
import { makeCertificate } from '../injector/make-certificate.js';
import { httpsRequest } from '../injector/https-client.js';

describe('hookguard injector (the process)', () => {
  it('serves AdmissionReviews over HTTPS, is ready on its admin port, and exits 0 on SIGTERM', async () => {
    const dir = secretsDir();
    const cert = makeCertificate(dir.dir, 'tls');
    const config = join(dir.dir, 'injector.yaml');
    writeFileSync(config, `tls: {certFile: ${join(dir.dir, 'tls.crt')}, keyFile: ${join(dir.dir, 'tls.key')}}\nsidecar:\n  image: ghcr.io/example/hookguard:1.0.0\n`);
    const port = await deadPort();
    const admin = await deadPort();
    const child = spawn(process.execPath, ['--import', 'tsx', 'src/cli.ts', 'injector', '--config', config, '--listen', `127.0.0.1:${port}`, '--admin', `127.0.0.1:${admin}`], { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
    try {
      const deadline = Date.now() + 20_000;
      while (!(await fetch(`http://127.0.0.1:${admin}/readyz`).then((r) => r.ok, () => false))) {
        if (Date.now() > deadline || child.exitCode !== null) assert.fail(`injector never became ready:\n${output}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const review = { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'u-1', kind: { group: '', version: 'v1', kind: 'Pod' }, operation: 'CREATE', namespace: 'shop', object: { metadata: { name: 'p' }, spec: { containers: [{ name: 'app', image: 'app' }] } } } };
      const answer = await httpsRequest({ port, body: JSON.stringify(review), ca: cert.cert });
      assert.equal(answer.status, 200);
      const response = JSON.parse(answer.text) as { response: { uid: string; allowed: boolean } };
      assert.equal(response.response.uid, 'u-1');
      assert.equal(response.response.allowed, true);
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    } finally {
      child.kill('SIGKILL');
      dir.remove();
    }
  });
});
