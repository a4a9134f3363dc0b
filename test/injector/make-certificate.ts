import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { X509Certificate } from 'node:crypto';

export interface Certificate {
  readonly cert: Buffer;
  readonly key: Buffer;
  /** SHA-256 fingerprint in the form tls.PeerCertificate#fingerprint256 shows. */
  readonly fingerprint: string;
}

/** A self-signed certificate for 127.0.0.1 made by openssl, written as `<name>.crt` and `<name>.key` in `dir`. */
export function makeCertificate(dir: string, name: string, commonName = 'hookguard-injector.hookguard.svc'): Certificate {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  execFileSync(
    'openssl',
    [
      'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
      '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', `/CN=${commonName}`,
      '-addext', `subjectAltName=IP:127.0.0.1,DNS:${commonName}`,
    ],
    { stdio: 'pipe' },
  );
  const cert = readFileSync(certFile);
  return { cert, key: readFileSync(keyFile), fingerprint: new X509Certificate(cert).fingerprint256 };
}
