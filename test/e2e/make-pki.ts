import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/** PEM files on disk, with their contents read back for HTTPS clients. */
export interface KeyPair {
  readonly certFile: string;
  readonly keyFile: string;
  readonly cert: Buffer;
  readonly key: Buffer;
}

export interface ClusterPki {
  readonly ca: KeyPair;
  /** kube-apiserver's serving certificate, for 127.0.0.1 and localhost. */
  readonly apiServer: KeyPair;
  /** The admin credential: a client certificate in group system:masters. */
  readonly admin: KeyPair;
  /** The key pair that signs and verifies service account tokens. */
  readonly serviceAccountKeyFile: string;
  readonly serviceAccountPublicKeyFile: string;
}

function openssl(args: readonly string[]): void {
  execFileSync('openssl', args, { stdio: 'pipe' });
}

/** A throw-away CA, valid for a day: nothing made here is meant to outlive the test run. */
export function makeCa(dir: string, name: string, commonName: string): KeyPair {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  openssl([
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
    '-keyout', keyFile, '-out', certFile, '-days', '1', '-subj', `/CN=${commonName}`,
    '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  return { certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile) };
}

/**
 * A leaf certificate signed by `ca`. Go clients ignore the common name, so a serving certificate
 * must carry every name it is reached by in `sans` (`DNS:...`, `IP:...`).
 */
export function signCertificate(
  dir: string,
  name: string,
  ca: KeyPair,
  options: { subject: string; usage: 'serverAuth' | 'clientAuth'; sans?: readonly string[] },
): KeyPair {
  const certFile = join(dir, `${name}.crt`);
  const keyFile = join(dir, `${name}.key`);
  const csrFile = join(dir, `${name}.csr`);
  const extFile = join(dir, `${name}.ext`);
  const extensions = ['basicConstraints=critical,CA:FALSE', 'keyUsage=critical,digitalSignature,keyEncipherment', `extendedKeyUsage=${options.usage}`];
  if (options.sans && options.sans.length > 0) extensions.push(`subjectAltName=${options.sans.join(',')}`);
  writeFileSync(extFile, `${extensions.join('\n')}\n`);
  openssl(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-keyout', keyFile, '-out', csrFile, '-subj', options.subject]);
  openssl(['x509', '-req', '-in', csrFile, '-CA', ca.certFile, '-CAkey', ca.keyFile, '-set_serial', `0x${Date.now().toString(16)}${Math.floor(Math.random() * 0xffff).toString(16)}`, '-days', '1', '-extfile', extFile, '-out', certFile]);
  return { certFile, keyFile, cert: readFileSync(certFile), key: readFileSync(keyFile) };
}

/** Everything kube-apiserver and its admin need, made by openssl in `dir`. */
export function makeClusterPki(dir: string): ClusterPki {
  const ca = makeCa(dir, 'cluster-ca', 'hookguard-e2e-cluster-ca');
  const apiServer = signCertificate(dir, 'kube-apiserver', ca, {
    subject: '/CN=kube-apiserver',
    usage: 'serverAuth',
    sans: ['IP:127.0.0.1', 'DNS:localhost', 'DNS:kubernetes.default.svc'],
  });
  const admin = signCertificate(dir, 'admin', ca, { subject: '/O=system:masters/CN=hookguard-e2e-admin', usage: 'clientAuth' });
  const serviceAccountKeyFile = join(dir, 'service-account.key');
  const serviceAccountPublicKeyFile = join(dir, 'service-account.pub');
  openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-out', serviceAccountKeyFile]);
  openssl(['pkey', '-in', serviceAccountKeyFile, '-pubout', '-out', serviceAccountPublicKeyFile]);
  return { ca, apiServer, admin, serviceAccountKeyFile, serviceAccountPublicKeyFile };
}
