// hookguard certgen: the chart's setup Jobs run this with the hookguard image (`node certgen.mjs`).
// Node's standard library only, so it runs on the image the cluster already pulled for the injector.
//
//   ensure-secrets   (pre-install, pre-upgrade) keeps the injector's TLS Secret and the Redis password
//                    Secret: creates them when missing, renews the certificate only when it is about
//                    to expire or does not cover the Service's names, never touches them otherwise.
//   patch-ca-bundle  (post-install, post-upgrade) waits until the injector serves the Secret's
//                    certificate, then writes its CA into the webhook configuration's caBundle.
//
// Nothing is generated while the chart renders, so `helm template` (Argo CD, Flux) gives the same
// output every time; the Secrets outlive upgrades because only this Job writes them.
import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign, X509Certificate } from 'node:crypto';
import { readFileSync, realpathSync } from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import { fileURLToPath } from 'node:url';

// ---------------------------------------------------------------------------------------------
// DER, just enough of it for two X.509 v3 certificates (RFC 5280).

function derLength(n) {
  if (n < 0x80) return Buffer.from([n]);
  const bytes = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}
const tlv = (tag, ...parts) => {
  const body = Buffer.concat(parts);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
};
const seq = (...parts) => tlv(0x30, ...parts);
const set = (...parts) => tlv(0x31, ...parts);
const bool = (value) => tlv(0x01, Buffer.from([value ? 0xff : 0x00]));
const octets = (bytes) => tlv(0x04, bytes);
const bitString = (bytes, unusedBits = 0) => tlv(0x03, Buffer.from([unusedBits]), bytes);
const utf8 = (text) => tlv(0x0c, Buffer.from(text, 'utf8'));
const explicit = (n, inner) => tlv(0xa0 + n, inner);

/** An unsigned big-endian integer: minimal bytes, a leading zero when the top bit is set. */
function unsignedInteger(bytes) {
  let b = bytes;
  while (b.length > 1 && b[0] === 0 && (b[1] & 0x80) === 0) b = b.subarray(1);
  if (b[0] & 0x80) b = Buffer.concat([Buffer.from([0]), b]);
  return tlv(0x02, b);
}

function oid(dotted) {
  const [first, second, ...rest] = dotted.split('.').map(Number);
  const out = [40 * first + second];
  for (const arc of rest) {
    const chunk = [arc & 0x7f];
    for (let v = Math.floor(arc / 128); v > 0; v = Math.floor(v / 128)) chunk.unshift((v & 0x7f) | 0x80);
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

/** RFC 5280 4.1.2.5: UTCTime through 2049, GeneralizedTime from 2050. */
function time(date) {
  const digits = date.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return date.getUTCFullYear() < 2050 ? tlv(0x17, Buffer.from(`${digits.slice(2)}Z`)) : tlv(0x18, Buffer.from(`${digits}Z`));
}

const OID = {
  commonName: '2.5.4.3',
  organization: '2.5.4.10',
  ecdsaWithSha256: '1.2.840.10045.4.3.2',
  subjectKeyIdentifier: '2.5.29.14',
  keyUsage: '2.5.29.15',
  subjectAltName: '2.5.29.17',
  basicConstraints: '2.5.29.19',
  authorityKeyIdentifier: '2.5.29.35',
  extKeyUsage: '2.5.29.37',
  serverAuth: '1.3.6.1.5.5.7.3.1',
};

const name = (commonName) => seq(set(seq(oid(OID.organization), utf8('hookguard'))), set(seq(oid(OID.commonName), utf8(commonName))));
const extension = (id, critical, value) => (critical ? seq(oid(id), bool(true), octets(value)) : seq(oid(id), octets(value)));

function keyIdentifier(spki) {
  // RFC 7093 method 1: the leftmost 160 bits of the SHA-256 of the public key information.
  return createHash('sha256').update(spki).digest().subarray(0, 20);
}

function serialNumber() {
  const bytes = randomBytes(16);
  bytes[0] = (bytes[0] & 0x7f) | 0x01; // positive and never zero, as RFC 5280 4.1.2.2 asks
  return unsignedInteger(bytes);
}

function toPem(label, der) {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

function certificate({ subject, issuer, spki, issuerSpki, signingKey, notBefore, notAfter, extensions }) {
  const algorithm = seq(oid(OID.ecdsaWithSha256));
  const tbs = seq(
    explicit(0, unsignedInteger(Buffer.from([2]))), // v3
    serialNumber(),
    algorithm,
    name(issuer),
    seq(time(notBefore), time(notAfter)),
    name(subject),
    spki,
    explicit(3, seq(...extensions(keyIdentifier(spki), keyIdentifier(issuerSpki)))),
  );
  // Node signs ECDSA in the DER form X.509 expects.
  const signature = sign('sha256', tbs, signingKey);
  return seq(tbs, algorithm, bitString(signature));
}

/**
 * A CA and a serving certificate for `hosts` (the first is the common name), both ECDSA P-256,
 * valid from an hour ago (clock skew) for `validityDays`. The CA key is only ever in memory: nothing
 * else can be signed with it once this returns.
 */
export function issueCertificates({ hosts, validityDays, now = new Date() }) {
  if (!Array.isArray(hosts) || hosts.length === 0) throw new TypeError('certgen: issueCertificates needs at least one host');
  const notBefore = new Date(now.getTime() - 3600_000);
  const notAfter = new Date(now.getTime() + validityDays * 86_400_000);
  const caKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const leafKeys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const caSpki = caKeys.publicKey.export({ type: 'spki', format: 'der' });
  const leafSpki = leafKeys.publicKey.export({ type: 'spki', format: 'der' });
  const caName = `hookguard-ca ${hosts[0]}`;

  const ca = certificate({
    subject: caName,
    issuer: caName,
    spki: caSpki,
    issuerSpki: caSpki,
    signingKey: caKeys.privateKey,
    notBefore,
    notAfter,
    extensions: (ski) => [
      extension(OID.basicConstraints, true, seq(bool(true), unsignedInteger(Buffer.from([0])))),
      // keyCertSign (bit 5) and cRLSign (bit 6): 0b0000011x, one unused bit.
      extension(OID.keyUsage, true, bitString(Buffer.from([0x06]), 1)),
      extension(OID.subjectKeyIdentifier, false, octets(ski)),
    ],
  });
  const leaf = certificate({
    subject: hosts[0],
    issuer: caName,
    spki: leafSpki,
    issuerSpki: caSpki,
    signingKey: caKeys.privateKey,
    notBefore,
    notAfter,
    extensions: (ski, aki) => [
      extension(OID.basicConstraints, true, seq()),
      // digitalSignature (bit 0) only: ECDHE key exchange signs, it never encrypts a key.
      extension(OID.keyUsage, true, bitString(Buffer.from([0x80]), 7)),
      extension(OID.extKeyUsage, false, seq(oid(OID.serverAuth))),
      // Go (the API server) reads only the SAN, never the common name.
      extension(OID.subjectAltName, false, seq(...hosts.map((host) => tlv(0x82, Buffer.from(host, 'ascii'))))),
      extension(OID.subjectKeyIdentifier, false, octets(ski)),
      extension(OID.authorityKeyIdentifier, false, seq(tlv(0x80, aki))),
    ],
  });
  return {
    caPem: toPem('CERTIFICATE', ca),
    certPem: toPem('CERTIFICATE', leaf),
    keyPem: leafKeys.privateKey.export({ type: 'pkcs8', format: 'pem' }),
  };
}

/** The PEM blocks of a bundle, each ending with a newline. */
export function splitPemBlocks(text) {
  return [...String(text).matchAll(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g)].map((m) => `${m[0]}\n`);
}

/**
 * Why the TLS Secret's data cannot be kept, or undefined when it can: every key present, the pair
 * matching, signed by ca.crt, covering every host and valid beyond the renewal window.
 */
export function certificateProblem(data, { hosts, renewBeforeDays, now = new Date() }) {
  const text = (key) => (data?.[key] ? Buffer.from(data[key], 'base64').toString('utf8') : undefined);
  const certPem = text('tls.crt');
  const keyPem = text('tls.key');
  const caPem = text('ca.crt');
  if (!certPem || !keyPem || !caPem) return 'tls.crt, tls.key or ca.crt is missing';
  let cert;
  let ca;
  try {
    cert = new X509Certificate(certPem);
    ca = new X509Certificate(caPem);
    if (!cert.checkPrivateKey(createPrivateKey(keyPem))) return 'tls.key does not match tls.crt';
  } catch (error) {
    return `the certificate or key does not parse: ${error.message}`;
  }
  if (!cert.checkIssued(ca) || !cert.verify(ca.publicKey)) return 'tls.crt is not signed by ca.crt';
  for (const host of hosts) if (cert.checkHost(host) === undefined) return `tls.crt does not cover ${host}`;
  const renewAt = new Date(cert.validTo).getTime() - renewBeforeDays * 86_400_000;
  if (now.getTime() >= renewAt) return `tls.crt expires ${new Date(cert.validTo).toISOString()}, within ${renewBeforeDays} days`;
  if (now.getTime() < new Date(cert.validFrom).getTime()) return 'tls.crt is not valid yet';
  return undefined;
}

// ---------------------------------------------------------------------------------------------
// The Kubernetes API: get, create, replace, JSON-patch. Answers are {status, body}; the callers
// decide what a 404 or 409 means.

function readServiceAccount(dir) {
  return { token: readFileSync(`${dir}/token`, 'utf8').trim(), ca: readFileSync(`${dir}/ca.crt`) };
}

export function createKubeClient({ baseUrl, token, ca }) {
  const request = (method, path, body, contentType = 'application/json') =>
    new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = https.request(
        new URL(path, baseUrl),
        {
          method,
          ca,
          headers: {
            authorization: `Bearer ${token}`,
            accept: 'application/json',
            ...(payload && { 'content-type': contentType, 'content-length': payload.length }),
          },
          timeout: 15_000,
        },
        (res) => {
          const chunks = [];
          res.on('data', (chunk) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              parsed = { message: text };
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
          res.on('error', reject);
        },
      );
      req.on('timeout', () => req.destroy(new Error(`${method} ${path} timed out`)));
      req.on('error', reject);
      req.end(payload);
    });
  return {
    get: (path) => request('GET', path),
    create: (path, body) => request('POST', path, body),
    replace: (path, body) => request('PUT', path, body),
    patch: (path, operations) => request('PATCH', path, operations, 'application/json-patch+json'),
  };
}

function expectOk(answer, what) {
  if (answer.status >= 200 && answer.status < 300) return answer.body;
  const message = answer.body?.message ?? JSON.stringify(answer.body);
  throw new Error(`${what}: HTTP ${answer.status}: ${message}`);
}

const secretsPath = (namespace) => `/api/v1/namespaces/${encodeURIComponent(namespace)}/secrets`;
const secretPath = (namespace, name) => `${secretsPath(namespace)}/${encodeURIComponent(name)}`;
const webhookPath = (name) => `/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/${encodeURIComponent(name)}`;
const b64 = (text) => Buffer.from(text, 'utf8').toString('base64');

function tlsData(issued) {
  return { 'tls.crt': b64(issued.certPem), 'tls.key': b64(issued.keyPem), 'ca.crt': b64(issued.caPem) };
}

/** JSON-patch operations setting every webhook's caBundle to `bundle` (none when all already are). */
function caBundleOperations(config, bundle) {
  const value = b64(bundle);
  const operations = [];
  (config.webhooks ?? []).forEach((webhook, i) => {
    if (webhook.clientConfig?.caBundle === value) return;
    // `test` first: if the list changed since the GET, the patch fails instead of hitting another webhook.
    operations.push({ op: 'test', path: `/webhooks/${i}/name`, value: webhook.name });
    operations.push({ op: 'add', path: `/webhooks/${i}/clientConfig/caBundle`, value });
  });
  return operations;
}

/**
 * Keeps the injector's TLS Secret valid. When it has to be replaced while the webhook configuration
 * exists (an upgrade), the old and new CAs are trusted together first: the injector switches
 * certificates when the kubelet updates the mounted Secret, which can take a minute, and the API
 * server must accept both until patch-ca-bundle runs.
 */
export async function ensureTlsSecret(client, { namespace, secretName, hosts, validityDays, renewBeforeDays, webhookName, labels = {}, now = new Date() }, log) {
  const path = secretPath(namespace, secretName);
  const current = await client.get(path);
  if (current.status === 404) {
    const issued = issueCertificates({ hosts, validityDays, now });
    const created = await client.create(secretsPath(namespace), {
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: { name: secretName, namespace, labels },
      type: 'kubernetes.io/tls',
      data: tlsData(issued),
    });
    if (created.status === 409) return ensureTlsSecret(client, { namespace, secretName, hosts, validityDays, renewBeforeDays, webhookName, labels, now }, log);
    expectOk(created, `creating Secret ${namespace}/${secretName}`);
    log('info', 'created the injector TLS Secret', { secret: secretName, hosts });
    return 'created';
  }
  const secret = expectOk(current, `reading Secret ${namespace}/${secretName}`);
  const problem = certificateProblem(secret.data, { hosts, renewBeforeDays, now });
  if (problem === undefined) {
    log('info', 'kept the injector TLS Secret', { secret: secretName });
    return 'kept';
  }
  const issued = issueCertificates({ hosts, validityDays, now });
  if (webhookName) {
    const webhook = await client.get(webhookPath(webhookName));
    if (webhook.status !== 404) {
      const config = expectOk(webhook, `reading MutatingWebhookConfiguration ${webhookName}`);
      const existing = (config.webhooks ?? []).flatMap((w) => splitPemBlocks(w.clientConfig?.caBundle ? Buffer.from(w.clientConfig.caBundle, 'base64').toString('utf8') : ''));
      const bundle = [...new Set([...existing, ...splitPemBlocks(issued.caPem)])].join('');
      const operations = caBundleOperations(config, bundle);
      if (operations.length > 0) expectOk(await client.patch(webhookPath(webhookName), operations), `patching ${webhookName}`);
    }
  }
  const replaced = await client.replace(path, { ...secret, type: 'kubernetes.io/tls', data: tlsData(issued) });
  expectOk(replaced, `replacing Secret ${namespace}/${secretName}`);
  log('info', 'renewed the injector TLS Secret', { secret: secretName, reason: problem });
  return 'renewed';
}

/** Creates the Redis password Secret once; an existing one is never changed (sidecars hold copies). */
export async function ensureRedisSecret(client, { namespace, secretName, key, labels = {} }, log) {
  const path = secretPath(namespace, secretName);
  const current = await client.get(path);
  if (current.status !== 404) {
    const secret = expectOk(current, `reading Secret ${namespace}/${secretName}`);
    if (!secret.data?.[key]) throw new Error(`Secret ${namespace}/${secretName} exists without key ${key}: add the key or delete the Secret`);
    log('info', 'kept the Redis password Secret', { secret: secretName });
    return 'kept';
  }
  // 32 random bytes, URL-safe: no quoting trouble in redis.conf, URLs or shells.
  const password = randomBytes(32).toString('base64url');
  const created = await client.create(secretsPath(namespace), {
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: secretName, namespace, labels },
    type: 'Opaque',
    data: { [key]: b64(password) },
  });
  if (created.status === 409) return ensureRedisSecret(client, { namespace, secretName, key, labels }, log);
  expectOk(created, `creating Secret ${namespace}/${secretName}`);
  log('info', 'created the Redis password Secret', { secret: secretName });
  return 'created';
}

/** True once a TLS handshake with `host:port` verifies against `ca` for `servername`. */
export function servesCertificateFrom({ host, port, servername, ca, timeoutMs = 3_000 }) {
  return new Promise((resolve) => {
    const socket = tls.connect({ host, port, servername, ca, rejectUnauthorized: true, timeout: timeoutMs });
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.once('secureConnect', () => done(socket.authorized));
    socket.once('error', () => done(false));
    socket.once('timeout', () => done(false));
  });
}

/**
 * Writes the TLS Secret's CA into every webhook's caBundle, after waiting (up to `waitSeconds`) for
 * the injector to serve a certificate that CA signed, so the API server never trusts only a CA the
 * running injector does not use yet.
 */
export async function patchCaBundle(client, { namespace, secretName, webhookName, service, waitSeconds, pollMs = 2_000, connectHost }, log) {
  const secret = expectOk(await client.get(secretPath(namespace, secretName)), `reading Secret ${namespace}/${secretName}`);
  if (!secret.data?.['ca.crt']) throw new Error(`Secret ${namespace}/${secretName} has no ca.crt`);
  const caPem = Buffer.from(secret.data['ca.crt'], 'base64').toString('utf8');
  if (service && waitSeconds > 0) {
    const servername = `${service.name}.${namespace}.svc`;
    const deadline = Date.now() + waitSeconds * 1000;
    let served = false;
    while (!(served = await servesCertificateFrom({ host: connectHost ?? servername, port: service.port, servername, ca: caPem })) && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, pollMs));
    }
    if (!served) log('warn', 'the injector does not serve the new certificate yet; setting the caBundle anyway', { service: servername, waitSeconds });
  }
  const config = expectOk(await client.get(webhookPath(webhookName)), `reading MutatingWebhookConfiguration ${webhookName}`);
  const operations = caBundleOperations(config, caPem);
  if (operations.length === 0) {
    log('info', 'the caBundle is already current', { webhook: webhookName });
    return 'unchanged';
  }
  expectOk(await client.patch(webhookPath(webhookName), operations), `patching MutatingWebhookConfiguration ${webhookName}`);
  log('info', 'set the caBundle', { webhook: webhookName });
  return 'patched';
}

// ---------------------------------------------------------------------------------------------
// Command line.

function parseFlags(argv) {
  const flags = {};
  for (let i = 0; i < argv.length; i += 1) {
    const arg = argv[i];
    if (!arg.startsWith('--')) throw new Error(`unexpected argument ${arg}`);
    const [key, inline] = arg.slice(2).split(/=(.*)/s, 2);
    flags[key] = inline ?? argv[++i];
    if (flags[key] === undefined) throw new Error(`--${key} needs a value`);
  }
  return flags;
}

function required(flags, key) {
  if (!flags[key]) throw new Error(`--${key} is required`);
  return flags[key];
}

function writeLog(level, msg, fields = {}) {
  process.stdout.write(`${JSON.stringify({ level, time: new Date().toISOString(), name: 'hookguard-certgen', msg, ...fields })}\n`);
}

function defaultApiUrl(env) {
  const host = env.KUBERNETES_SERVICE_HOST;
  if (!host) throw new Error('KUBERNETES_SERVICE_HOST is not set: run in a pod, or pass --api-url');
  return `https://${host.includes(':') ? `[${host}]` : host}:${env.KUBERNETES_SERVICE_PORT ?? 443}`;
}

export async function main(argv, env = process.env, log = writeLog) {
  const [command, ...rest] = argv;
  const flags = parseFlags(rest);
  const saDir = flags['service-account-dir'] ?? '/var/run/secrets/kubernetes.io/serviceaccount';
  const account = readServiceAccount(saDir);
  const client = createKubeClient({ baseUrl: flags['api-url'] ?? defaultApiUrl(env), token: account.token, ca: account.ca });
  const namespace = required(flags, 'namespace');
  const labels = flags.labels ? JSON.parse(flags.labels) : {};
  if (command === 'ensure-secrets') {
    if (flags['tls-secret']) {
      await ensureTlsSecret(
        client,
        {
          namespace,
          secretName: flags['tls-secret'],
          hosts: required(flags, 'hosts').split(','),
          validityDays: Number(flags['validity-days'] ?? 3650),
          renewBeforeDays: Number(flags['renew-before-days'] ?? 30),
          webhookName: flags.webhook,
          labels,
        },
        log,
      );
    }
    if (flags['redis-secret']) {
      await ensureRedisSecret(client, { namespace, secretName: flags['redis-secret'], key: flags['redis-key'] ?? 'redis-password', labels }, log);
    }
    return 0;
  }
  if (command === 'patch-ca-bundle') {
    await patchCaBundle(
      client,
      {
        namespace,
        secretName: required(flags, 'tls-secret'),
        webhookName: required(flags, 'webhook'),
        service: flags.service ? { name: flags.service, port: Number(flags.port ?? 443) } : undefined,
        waitSeconds: Number(flags['wait-seconds'] ?? 120),
        connectHost: flags['connect-host'],
      },
      log,
    );
    return 0;
  }
  throw new Error(`unknown command ${command ?? '(none)'}: ensure-secrets or patch-ca-bundle`);
}

const invokedPath = process.argv[1] ? realpathSync(process.argv[1]) : '';
if (invokedPath === realpathSync(fileURLToPath(import.meta.url))) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error) => {
      writeLog('error', error.message);
      process.exitCode = 1;
    },
  );
}
