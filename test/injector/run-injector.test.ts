import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ConfigError } from '../../src/config/problems.js';
import { runInjector, type RunningInjector } from '../../src/injector/run-injector.js';
import { send } from '../helpers/http-client.js';
import { captureLogger } from '../helpers/log-sink.js';
import { annotatedPod, podReview } from './fixtures.js';
import { httpsRequest } from './https-client.js';
import { makeCertificate, type Certificate } from './make-certificate.js';

/**
 * Lays out TLS files the way the kubelet mounts a Secret: the visible names are symlinks through
 * `..data`, which is swapped atomically to a new timestamped directory on every update.
 */
class SecretMount {
  private generation = 0;

  constructor(readonly dir: string) {
    symlinkSync('..data/tls.crt', join(dir, 'tls.crt'));
    symlinkSync('..data/tls.key', join(dir, 'tls.key'));
  }

  publish(certificate: Certificate): void {
    this.generation += 1;
    const version = `..2025_01_01_00_00_0${this.generation}.000000001`;
    mkdirSync(join(this.dir, version));
    writeFileSync(join(this.dir, version, 'tls.crt'), certificate.cert);
    writeFileSync(join(this.dir, version, 'tls.key'), certificate.key);
    symlinkSync(version, join(this.dir, '..data_tmp'));
    renameSync(join(this.dir, '..data_tmp'), join(this.dir, '..data'));
  }
}

async function fingerprintEventually(port: number, expected: string, withinMs = 5_000): Promise<string> {
  const deadline = Date.now() + withinMs;
  let seen = '';
  while (Date.now() < deadline) {
    seen = (await httpsRequest({ port, body: JSON.stringify(podReview(annotatedPod())) })).fingerprint;
    if (seen === expected) return seen;
    await sleep(50);
  }
  return seen;
}

describe('runInjector', () => {
  const root = mkdtempSync(join(tmpdir(), 'hookguard-run-injector-'));
  const certs = join(root, 'certs');
  const tlsDir = join(root, 'tls');
  mkdirSync(certs);
  mkdirSync(tlsDir);
  const configPath = join(root, 'injector.yaml');
  const log = captureLogger('debug');
  let mount: SecretMount;
  let first: Certificate;
  let running: RunningInjector;

  before(async () => {
    first = makeCertificate(certs, 'first');
    mount = new SecretMount(tlsDir);
    mount.publish(first);
    writeFileSync(
      configPath,
      [
        'listen: "0.0.0.0:8443"',
        'admin: "0.0.0.0:9102"',
        `tls: {certFile: ${join(tlsDir, 'tls.crt')}, keyFile: ${join(tlsDir, 'tls.key')}}`,
        'sidecar:',
        '  image: ghcr.io/example/hookguard:1.2.3',
        '  redis: {url: "redis://hookguard-redis.hookguard:6379", passwordSecretKey: redis-password}',
        '',
      ].join('\n'),
    );
    running = await runInjector({
      configPath,
      overrides: { listen: '127.0.0.1:0', admin: '127.0.0.1:0' },
      logger: log.logger,
      env: { POD_NAMESPACE: 'hookguard' },
      tlsCheckIntervalMs: 200,
    });
  });

  after(async () => {
    await running.close();
    rmSync(root, { recursive: true, force: true });
  });

  it('listens where the overrides say, with the certificate from the files', async () => {
    assert.equal(running.address.host, '127.0.0.1');
    assert.notEqual(running.address.port, 0);
    const answer = await httpsRequest({ port: running.address.port, ca: first.cert, body: JSON.stringify(podReview(annotatedPod({ 'hookguard.io/secret': 's' }))) });
    assert.equal(answer.status, 200);
    assert.equal(answer.fingerprint, first.fingerprint);
    assert.equal(JSON.parse(answer.text).response.patchType, 'JSONPatch');
  });

  it("skips pods in its own namespace (POD_NAMESPACE)", async () => {
    const answer = await httpsRequest({ port: running.address.port, body: JSON.stringify(podReview(annotatedPod(), { namespace: 'hookguard' })) });
    assert.equal(JSON.parse(answer.text).response.patch, undefined);
  });

  it('is ready on the admin port', async () => {
    assert.equal((await send(`http://127.0.0.1:${running.adminAddress.port}/readyz`, { method: 'GET' })).status, 200);
  });

  it('serves a certificate rotated on disk the way the kubelet does it, on new connections', async () => {
    const second = makeCertificate(certs, 'second');
    mount.publish(second);
    assert.equal(await fingerprintEventually(running.address.port, second.fingerprint), second.fingerprint);
    assert.ok(log.records().some((r) => r.msg === 'TLS certificate reloaded'));
  });

  it('keeps the current certificate while the files do not form a pair, then takes the new pair', async () => {
    const before = (await httpsRequest({ port: running.address.port, body: '{}' })).fingerprint;
    const third = makeCertificate(certs, 'third');
    const version = join(tlsDir, '..data');
    // Written in place, key first: for a moment the key does not match the certificate.
    writeFileSync(join(version, 'tls.key'), third.key);
    await sleep(1_000);
    const during = await httpsRequest({ port: running.address.port, body: JSON.stringify(podReview(annotatedPod())) });
    assert.equal(during.status, 200);
    assert.equal(during.fingerprint, before);
    assert.ok(log.records().some((r) => r.msg === 'the new TLS files do not form a valid pair yet; keeping the current certificate'));
    writeFileSync(join(version, 'tls.crt'), third.cert);
    assert.equal(await fingerprintEventually(running.address.port, third.fingerprint), third.fingerprint);
  });

  it('lets a request in flight finish when closing, then stops both servers', async () => {
    const body = Buffer.from(JSON.stringify(podReview(annotatedPod())));
    const inFlight = new Promise<number>((resolve, reject) => {
      const req = https.request(
        { host: '127.0.0.1', port: running.address.port, path: '/mutate', method: 'POST', rejectUnauthorized: false, agent: false, headers: { 'content-length': String(body.length) } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.write(body.subarray(0, 10));
      setTimeout(() => req.end(body.subarray(10)), 300);
    });
    await sleep(100);
    const closing = running.close();
    assert.equal(await inFlight, 200);
    await closing;
    await assert.rejects(httpsRequest({ port: running.address.port, body: '{}' }));
    await assert.rejects(send(`http://127.0.0.1:${running.adminAddress.port}/readyz`, { method: 'GET' }));
    assert.equal(running.close(), closing, 'close() is idempotent');
  });
});

describe('runInjector refusing to start', () => {
  const root = mkdtempSync(join(tmpdir(), 'hookguard-run-injector-bad-'));
  after(() => rmSync(root, { recursive: true, force: true }));

  const start = (config: string, overrides: { listen?: string; admin?: string } = { listen: '127.0.0.1:0', admin: '127.0.0.1:0' }) => {
    const configPath = join(root, `c${Math.random().toString(36).slice(2)}.yaml`);
    writeFileSync(configPath, config);
    return runInjector({ configPath, overrides, logger: captureLogger().logger, env: {} });
  };

  const paths = async (promise: Promise<unknown>): Promise<string[]> => {
    try {
      await promise;
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      return error.problems.map((p) => p.path);
    }
    assert.fail('it started');
  };

  it('names every problem of a bad config', async () => {
    assert.deepEqual(await paths(start('listen: 1\nsidecar: {nativeSidecar: 3}\n')), ['listen', 'tls', 'sidecar.image', 'sidecar.nativeSidecar']);
  });

  it('names a bad --listen override', async () => {
    const ok = `tls: {certFile: ${root}/x.crt, keyFile: ${root}/x.key}\nsidecar: {image: i}\n`;
    assert.deepEqual(await paths(start(ok, { listen: 'localhost' })), ['--listen']);
  });

  it('names unreadable or mismatched TLS files', async () => {
    assert.deepEqual(await paths(start(`tls: {certFile: ${root}/none.crt, keyFile: ${root}/none.key}\nsidecar: {image: i}\n`)), ['tls']);
    const a = makeCertificate(root, 'a');
    makeCertificate(root, 'b');
    assert.ok(a.fingerprint);
    assert.deepEqual(await paths(start(`tls: {certFile: ${root}/a.crt, keyFile: ${root}/b.key}\nsidecar: {image: i}\n`)), ['tls']);
  });
});
