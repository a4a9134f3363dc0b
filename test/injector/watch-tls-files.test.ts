import assert from 'node:assert/strict';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { X509Certificate } from 'node:crypto';
import { readTlsMaterial, watchTlsFiles, type TlsMaterial } from '../../src/injector/watch-tls-files.js';
import { captureLogger } from '../helpers/log-sink.js';
import { makeCertificate } from './make-certificate.js';

const HOUR = 3_600_000;

describe('watchTlsFiles', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookguard-watch-tls-'));
  const files = { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
  after(() => rmSync(dir, { recursive: true, force: true }));

  const install = (name: string) => {
    const certificate = makeCertificate(dir, name);
    writeFileSync(`${files.keyFile}.tmp`, certificate.key);
    writeFileSync(`${files.certFile}.tmp`, certificate.cert);
    renameSync(`${files.keyFile}.tmp`, files.keyFile);
    renameSync(`${files.certFile}.tmp`, files.certFile);
    return certificate;
  };

  it('notices replaced files through fs.watch alone, without waiting for the periodic check', async () => {
    install('one');
    const changes: TlsMaterial[] = [];
    const watcher = watchTlsFiles({ files, current: await readTlsMaterial(files), onChange: (m) => changes.push(m), logger: captureLogger().logger, intervalMs: HOUR });
    try {
      const two = install('two');
      for (let i = 0; i < 100 && changes.length === 0; i += 1) await sleep(20);
      assert.equal(changes.length, 1);
      assert.equal(new X509Certificate(changes[0]!.cert).fingerprint256, two.fingerprint);
    } finally {
      watcher.close();
    }
  });

  it('does nothing when the files did not change', async () => {
    install('three');
    const changes: TlsMaterial[] = [];
    const watcher = watchTlsFiles({ files, current: await readTlsMaterial(files), onChange: (m) => changes.push(m), logger: captureLogger().logger, intervalMs: HOUR });
    await watcher.check();
    watcher.close();
    assert.equal(changes.length, 0);
  });

  it('keeps the old pair while the key does not match the certificate, and says so once', async () => {
    const current = await readTlsMaterial(files);
    const other = makeCertificate(dir, 'other');
    writeFileSync(files.keyFile, other.key);
    const log = captureLogger();
    const changes: TlsMaterial[] = [];
    const watcher = watchTlsFiles({ files, current, onChange: (m) => changes.push(m), logger: log.logger, intervalMs: HOUR });
    await watcher.check();
    await watcher.check();
    watcher.close();
    assert.equal(changes.length, 0);
    assert.equal(log.records().filter((r) => r.level === 40).length, 1);
  });

  it('keeps the old pair when the files vanish', async () => {
    const current = await readTlsMaterial(files);
    rmSync(files.certFile);
    const changes: TlsMaterial[] = [];
    const watcher = watchTlsFiles({ files, current, onChange: (m) => changes.push(m), logger: captureLogger().logger, intervalMs: HOUR });
    await watcher.check();
    watcher.close();
    assert.equal(changes.length, 0);
  });
});
