import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import tls from 'node:tls';
import { after, describe, it } from 'node:test';
import jsonpatch from 'fast-json-patch';
import { makeCertificate } from '../injector/make-certificate.js';
import {
  CERTGEN_PATH,
  certificateProblem,
  ensureRedisSecret,
  ensureTlsSecret,
  issueCertificates,
  patchCaBundle,
  splitPemBlocks,
  type Issued,
  type KubeAnswer,
  type KubeClient,
  type Log,
} from './certgen-module.js';

const NAMESPACE = 'hookguard';
const HOSTS = ['hookguard-injector.hookguard.svc', 'hookguard-injector.hookguard.svc.cluster.local'];
const WEBHOOK = 'hookguard-injector-hookguard';
const SECRETS = `/api/v1/namespaces/${NAMESPACE}/secrets`;
const WEBHOOK_PATH = `/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations/${WEBHOOK}`;
const b64 = (text: string) => Buffer.from(text).toString('base64');
const unb64 = (text: string) => Buffer.from(text, 'base64').toString('utf8');
const DAY = 86_400_000;

const scratch = mkdtempSync(join(tmpdir(), 'hookguard-certgen-'));
after(() => rmSync(scratch, { recursive: true, force: true }));

function tlsData(issued: Issued): Record<string, string> {
  return { 'tls.crt': b64(issued.certPem), 'tls.key': b64(issued.keyPem), 'ca.crt': b64(issued.caPem) };
}

function webhookConfig(caBundle?: string) {
  const clientConfig = { service: { name: 'hookguard-injector', namespace: NAMESPACE, path: '/mutate', port: 443 }, ...(caBundle !== undefined && { caBundle }) };
  return { apiVersion: 'admissionregistration.k8s.io/v1', kind: 'MutatingWebhookConfiguration', metadata: { name: WEBHOOK }, webhooks: [{ name: 'inject.hookguard.io', clientConfig }] };
}

/** An in-memory API server: Secrets in one namespace and one webhook configuration. */
function fakeApi(initial: { secrets?: Record<string, any>; webhook?: any } = {}) {
  const secrets = new Map<string, any>(Object.entries(initial.secrets ?? {}));
  let webhook = initial.webhook;
  const calls: string[] = [];
  const secretName = (path: string) => path.slice(SECRETS.length + 1);
  const client: KubeClient = {
    async get(path): Promise<KubeAnswer> {
      calls.push(`GET ${path}`);
      if (path === WEBHOOK_PATH) return webhook ? { status: 200, body: structuredClone(webhook) } : { status: 404, body: { message: 'not found' } };
      const secret = secrets.get(secretName(path));
      return secret ? { status: 200, body: structuredClone(secret) } : { status: 404, body: { message: 'not found' } };
    },
    async create(path, body: any) {
      calls.push(`POST ${path}`);
      assert.equal(path, SECRETS);
      if (secrets.has(body.metadata.name)) return { status: 409, body: { message: 'already exists' } };
      secrets.set(body.metadata.name, { ...body, metadata: { ...body.metadata, resourceVersion: '1' } });
      return { status: 201, body };
    },
    async replace(path, body: any) {
      calls.push(`PUT ${path}`);
      secrets.set(secretName(path), body);
      return { status: 200, body };
    },
    async patch(path, operations) {
      calls.push(`PATCH ${path}`);
      assert.equal(path, WEBHOOK_PATH);
      webhook = jsonpatch.applyPatch(structuredClone(webhook), operations as jsonpatch.Operation[], true).newDocument;
      return { status: 200, body: webhook };
    },
  };
  return { client, secrets, calls, webhook: () => webhook };
}

const quiet: Log = () => {};

describe('certgen issueCertificates', () => {
  const issued = issueCertificates({ hosts: HOSTS, validityDays: 3650 });
  const ca = new X509Certificate(issued.caPem);
  const leaf = new X509Certificate(issued.certPem);

  it('makes a CA and a serving certificate it signed, for every host', () => {
    assert.equal(ca.ca, true);
    assert.equal(leaf.ca, false);
    assert.ok(leaf.checkIssued(ca) && leaf.verify(ca.publicKey));
    for (const host of HOSTS) assert.equal(leaf.checkHost(host), host);
    assert.equal(leaf.checkHost('hookguard-injector.other.svc'), undefined);
    assert.equal(leaf.subjectAltName, HOSTS.map((h) => `DNS:${h}`).join(', '));
    assert.deepEqual(leaf.keyUsage, ['1.3.6.1.5.5.7.3.1'], 'serverAuth');
    assert.equal(leaf.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
  });

  it('is valid from an hour ago for the given number of days', () => {
    const now = Date.now();
    assert.ok(Math.abs(new Date(leaf.validFrom).getTime() - (now - 3_600_000)) < 120_000);
    assert.ok(Math.abs(new Date(leaf.validTo).getTime() - (now + 3650 * DAY)) < 120_000);
  });

  it('gives certificates OpenSSL verifies as a TLS server chain', () => {
    const dir = mkdtempSync(join(scratch, 'openssl-'));
    writeFileSync(join(dir, 'ca.pem'), issued.caPem);
    writeFileSync(join(dir, 'leaf.pem'), issued.certPem);
    const out = execFileSync('openssl', ['verify', '-purpose', 'sslserver', '-x509_strict', '-CAfile', join(dir, 'ca.pem'), join(dir, 'leaf.pem')], { encoding: 'utf8' });
    assert.match(out, /leaf\.pem: OK/);
  });

  it('serves TLS that a client trusting only the CA accepts for the Service name', async () => {
    const server = tls.createServer({ cert: issued.certPem, key: issued.keyPem }, (socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const handshake = (servername: string) =>
      new Promise<string>((resolve) => {
        const socket = tls.connect({ host: '127.0.0.1', port, servername, ca: issued.caPem }, () => resolve(socket.authorized ? 'ok' : 'unauthorized'));
        socket.on('error', (error) => resolve((error as NodeJS.ErrnoException).code ?? error.message));
        socket.on('secureConnect', () => socket.end());
      });
    try {
      assert.equal(await handshake(HOSTS[0]!), 'ok');
      assert.equal(await handshake('evil.example'), 'ERR_TLS_CERT_ALTNAME_INVALID');
    } finally {
      server.close();
    }
  });

  it('never makes the same certificate twice', () => {
    const again = issueCertificates({ hosts: HOSTS, validityDays: 3650 });
    assert.notEqual(again.caPem, issued.caPem);
    assert.notEqual(new X509Certificate(again.certPem).serialNumber, leaf.serialNumber);
  });

  it('refuses to make a certificate for no host', () => {
    assert.throws(() => issueCertificates({ hosts: [], validityDays: 1 }), /certgen: issueCertificates needs at least one host/);
  });
});

describe('certgen certificateProblem', () => {
  const issued = issueCertificates({ hosts: HOSTS, validityDays: 365 });
  const other = issueCertificates({ hosts: HOSTS, validityDays: 365 });
  const cases: [string, Record<string, string> | undefined, { hosts?: string[]; now?: Date }, RegExp | undefined][] = [
    ['a current, matching certificate', tlsData(issued), {}, undefined],
    ['no Secret data', undefined, {}, /missing/],
    ['a missing ca.crt', { ...tlsData(issued), 'ca.crt': '' }, {}, /missing/],
    ['a key of another certificate', { ...tlsData(issued), 'tls.key': b64(other.keyPem) }, {}, /tls\.key does not match tls\.crt/],
    ['a certificate another CA signed', { ...tlsData(issued), 'ca.crt': b64(other.caPem) }, {}, /not signed by ca\.crt/],
    ['a Service renamed since', tlsData(issued), { hosts: ['gate-injector.hookguard.svc'] }, /does not cover gate-injector\.hookguard\.svc/],
    ['a certificate in its renewal window', tlsData(issued), { now: new Date(Date.now() + 340 * DAY) }, /expires .* within 30 days/],
    ['garbage', { 'tls.crt': b64('x'), 'tls.key': b64('y'), 'ca.crt': b64('z') }, {}, /does not parse/],
  ];
  for (const [name, data, options, problem] of cases) {
    it(`${problem ? 'rejects' : 'keeps'} ${name}`, () => {
      const found = certificateProblem(data, { hosts: options.hosts ?? HOSTS, renewBeforeDays: 30, ...(options.now && { now: options.now }) });
      if (problem === undefined) assert.equal(found, undefined);
      else assert.match(found ?? '', problem);
    });
  }
});

describe('certgen ensureTlsSecret', () => {
  const options = { namespace: NAMESPACE, secretName: 'hookguard-injector-tls', hosts: HOSTS, validityDays: 3650, renewBeforeDays: 30, webhookName: WEBHOOK, labels: { 'app.kubernetes.io/name': 'hookguard' } };

  it('creates a kubernetes.io/tls Secret with tls.crt, tls.key and ca.crt when there is none', async () => {
    const api = fakeApi();
    assert.equal(await ensureTlsSecret(api.client, options, quiet), 'created');
    const secret = api.secrets.get('hookguard-injector-tls');
    assert.equal(secret.type, 'kubernetes.io/tls');
    assert.deepEqual(secret.metadata.labels, options.labels);
    assert.equal(certificateProblem(secret.data, { hosts: HOSTS, renewBeforeDays: 30 }), undefined);
    assert.ok(!api.calls.some((c) => c.includes('mutatingwebhookconfigurations')), 'no webhook work on a fresh install');
  });

  it('keeps a valid Secret byte for byte, so upgrades and re-syncs change nothing', async () => {
    const api = fakeApi();
    await ensureTlsSecret(api.client, options, quiet);
    const before = structuredClone(api.secrets.get('hookguard-injector-tls'));
    api.calls.length = 0;
    assert.equal(await ensureTlsSecret(api.client, options, quiet), 'kept');
    assert.deepEqual(api.secrets.get('hookguard-injector-tls'), before);
    assert.deepEqual(api.calls, [`GET ${SECRETS}/hookguard-injector-tls`]);
  });

  it('renews a certificate that no longer fits, trusting old and new CA before the Secret changes', async () => {
    const old = issueCertificates({ hosts: ['old-injector.hookguard.svc'], validityDays: 3650 });
    const api = fakeApi({
      secrets: { 'hookguard-injector-tls': { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'hookguard-injector-tls', namespace: NAMESPACE, resourceVersion: '7' }, type: 'kubernetes.io/tls', data: tlsData(old) } },
      webhook: webhookConfig(b64(old.caPem)),
    });
    const log: unknown[][] = [];
    assert.equal(await ensureTlsSecret(api.client, options, (...args) => log.push(args)), 'renewed');
    const secret = api.secrets.get('hookguard-injector-tls');
    assert.equal(secret.metadata.resourceVersion, '7', 'replaced with the version read (optimistic concurrency)');
    assert.equal(certificateProblem(secret.data, { hosts: HOSTS, renewBeforeDays: 30 }), undefined);
    const bundle = splitPemBlocks(unb64(api.webhook().webhooks[0].clientConfig.caBundle));
    assert.deepEqual(bundle, [old.caPem, unb64(secret.data['ca.crt'])], 'both CAs trusted while the injector switches');
    const patchAt = api.calls.indexOf(`PATCH ${WEBHOOK_PATH}`);
    const replaceAt = api.calls.indexOf(`PUT ${SECRETS}/hookguard-injector-tls`);
    assert.ok(patchAt >= 0 && patchAt < replaceAt, `the caBundle first, then the Secret: ${api.calls.join(', ')}`);
    assert.match(JSON.stringify(log), /renewed the injector TLS Secret.*does not cover hookguard-injector\.hookguard\.svc/);
  });
});

describe('certgen ensureRedisSecret', () => {
  const options = { namespace: NAMESPACE, secretName: 'hookguard-redis', key: 'redis-password' };

  it('creates a random URL-safe password once and never changes it', async () => {
    const api = fakeApi();
    assert.equal(await ensureRedisSecret(api.client, options, quiet), 'created');
    const password = unb64(api.secrets.get('hookguard-redis').data['redis-password']);
    assert.match(password, /^[A-Za-z0-9_-]{43}$/);
    assert.equal(await ensureRedisSecret(api.client, options, quiet), 'kept');
    assert.equal(unb64(api.secrets.get('hookguard-redis').data['redis-password']), password);
    const second = fakeApi();
    await ensureRedisSecret(second.client, options, quiet);
    assert.notEqual(unb64(second.secrets.get('hookguard-redis').data['redis-password']), password);
  });

  it('refuses an existing Secret without the key instead of overwriting it', async () => {
    const api = fakeApi({ secrets: { 'hookguard-redis': { metadata: { name: 'hookguard-redis' }, data: { other: b64('x') } } } });
    await assert.rejects(ensureRedisSecret(api.client, options, quiet), /Secret hookguard\/hookguard-redis exists without key redis-password/);
  });
});

describe('certgen patchCaBundle', () => {
  const issued = issueCertificates({ hosts: HOSTS, validityDays: 3650 });
  const secrets = { 'hookguard-injector-tls': { metadata: { name: 'hookguard-injector-tls' }, type: 'kubernetes.io/tls', data: tlsData(issued) } };
  const options = { namespace: NAMESPACE, secretName: 'hookguard-injector-tls', webhookName: WEBHOOK, waitSeconds: 0 };

  it("writes the Secret's CA into every webhook's caBundle, then has nothing to do", async () => {
    const api = fakeApi({ secrets, webhook: webhookConfig() });
    assert.equal(await patchCaBundle(api.client, options, quiet), 'patched');
    assert.equal(unb64(api.webhook().webhooks[0].clientConfig.caBundle), issued.caPem);
    api.calls.length = 0;
    assert.equal(await patchCaBundle(api.client, options, quiet), 'unchanged');
    assert.ok(!api.calls.some((c) => c.startsWith('PATCH')));
  });

  it('waits until the injector serves a certificate from that CA before trusting only it', async () => {
    const previous = issueCertificates({ hosts: HOSTS, validityDays: 3650 });
    const server = tls.createServer({ cert: previous.certPem, key: previous.keyPem }, (socket) => socket.end());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const port = (server.address() as AddressInfo).port;
    const api = fakeApi({ secrets, webhook: webhookConfig(b64(previous.caPem + issued.caPem)) });
    const switched = Date.now() + 400;
    // What the kubelet does a little later: the mounted Secret changes and the injector reloads it.
    setTimeout(() => server.setSecureContext({ cert: issued.certPem, key: issued.keyPem }), 400);
    try {
      const result = await patchCaBundle(api.client, { ...options, service: { name: 'hookguard-injector', port }, waitSeconds: 10, pollMs: 50, connectHost: '127.0.0.1' }, quiet);
      assert.equal(result, 'patched');
      assert.ok(Date.now() >= switched, 'not before the injector switched');
      assert.equal(unb64(api.webhook().webhooks[0].clientConfig.caBundle), issued.caPem);
    } finally {
      server.close();
    }
  });

  it('sets the caBundle anyway, with a warning, when the injector never answers in time', async () => {
    const api = fakeApi({ secrets, webhook: webhookConfig() });
    const log: unknown[][] = [];
    const started = Date.now();
    await patchCaBundle(api.client, { ...options, service: { name: 'hookguard-injector', port: 1 }, waitSeconds: 1, pollMs: 100, connectHost: '127.0.0.1' }, (...args) => log.push(args));
    assert.ok(Date.now() - started >= 1000);
    assert.equal(log[0]?.[0], 'warn');
    assert.equal(unb64(api.webhook().webhooks[0].clientConfig.caBundle), issued.caPem);
  });
});

describe('certgen.mjs run as the Jobs run it', () => {
  /** A Kubernetes API over HTTPS that checks the bearer token, with the same objects as fakeApi. */
  async function startApi(answer?: (method: string, path: string) => number | undefined) {
    const dir = mkdtempSync(join(scratch, 'api-'));
    const certificate = makeCertificate(dir, 'api');
    const api = fakeApi({ webhook: webhookConfig() });
    const server = https.createServer({ cert: certificate.cert, key: certificate.key }, (req, res) => {
      let text = '';
      req.on('data', (chunk: Buffer) => (text += chunk.toString()));
      req.on('end', async () => {
        const forced = answer?.(req.method ?? '', req.url ?? '');
        if (req.headers.authorization !== 'Bearer job-token' || forced) {
          res.writeHead(forced ?? 401, { 'content-type': 'application/json' }).end(JSON.stringify({ message: 'forbidden by the test' }));
          return;
        }
        const body = text ? JSON.parse(text) : undefined;
        const path = req.url ?? '';
        const result =
          req.method === 'GET' ? await api.client.get(path) : req.method === 'POST' ? await api.client.create(path, body) : req.method === 'PUT' ? await api.client.replace(path, body) : await api.client.patch(path, body);
        if (req.method === 'PATCH') assert.equal(req.headers['content-type'], 'application/json-patch+json');
        res.writeHead(result.status, { 'content-type': 'application/json' }).end(JSON.stringify(result.body));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    // The service account files, as the kubelet mounts them.
    const account = join(dir, 'serviceaccount');
    mkdirSync(account);
    writeFileSync(join(account, 'token'), 'job-token\n');
    writeFileSync(join(account, 'ca.crt'), certificate.cert);
    return { api, url: `https://127.0.0.1:${(server.address() as AddressInfo).port}`, account, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
  }

  /** The script through a `..data` symlink, as a ConfigMap mount shows it. */
  function mountedScript(): string {
    const dir = mkdtempSync(join(scratch, 'mount-'));
    mkdirSync(join(dir, '..2025_01_01'));
    symlinkSync(CERTGEN_PATH, join(dir, '..2025_01_01', 'certgen.mjs'));
    symlinkSync('..2025_01_01', join(dir, '..data'));
    symlinkSync('..data/certgen.mjs', join(dir, 'certgen.mjs'));
    return join(dir, 'certgen.mjs');
  }

  function run(args: string[]): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [mountedScript(), ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH } });
      let output = '';
      child.stdout.on('data', (c: Buffer) => (output += c.toString()));
      child.stderr.on('data', (c: Buffer) => (output += c.toString()));
      child.on('close', (code) => resolve({ code, output }));
    });
  }

  it('ensure-secrets then patch-ca-bundle leave a Secret, a Redis password and a caBundle that agree', async () => {
    const server = await startApi();
    try {
      const common = [`--api-url=${server.url}`, `--service-account-dir=${server.account}`, `--namespace=${NAMESPACE}`];
      const first = await run(['ensure-secrets', ...common, '--labels={"app.kubernetes.io/name":"hookguard"}', '--tls-secret=hookguard-injector-tls', `--hosts=${HOSTS.join(',')}`, `--webhook=${WEBHOOK}`, '--redis-secret=hookguard-redis', '--redis-key=redis-password']);
      assert.equal(first.code, 0, first.output);
      const lines = first.output.trim().split('\n').map((line) => JSON.parse(line));
      assert.deepEqual(lines.map((l) => l.msg), ['created the injector TLS Secret', 'created the Redis password Secret']);
      assert.ok(!first.output.includes(unb64(server.api.secrets.get('hookguard-redis').data['redis-password'])), 'the password is never logged');
      const second = await run(['patch-ca-bundle', ...common, '--tls-secret=hookguard-injector-tls', `--webhook=${WEBHOOK}`, '--service=hookguard-injector', '--wait-seconds=0']);
      assert.equal(second.code, 0, second.output);
      const secret = server.api.secrets.get('hookguard-injector-tls');
      assert.equal(server.api.webhook().webhooks[0].clientConfig.caBundle, secret.data['ca.crt']);
      const again = await run(['ensure-secrets', ...common, '--tls-secret=hookguard-injector-tls', `--hosts=${HOSTS.join(',')}`, `--webhook=${WEBHOOK}`]);
      assert.equal(again.code, 0, again.output);
      assert.match(again.output, /kept the injector TLS Secret/);
      assert.deepEqual(server.api.secrets.get('hookguard-injector-tls'), secret);
    } finally {
      await server.close();
    }
  });

  it('exits 1 naming the call and the status when the API refuses', async () => {
    const server = await startApi((method) => (method === 'POST' ? 403 : undefined));
    try {
      const result = await run(['ensure-secrets', `--api-url=${server.url}`, `--service-account-dir=${server.account}`, `--namespace=${NAMESPACE}`, '--redis-secret=hookguard-redis']);
      assert.equal(result.code, 1);
      assert.match(result.output, /creating Secret hookguard\/hookguard-redis: HTTP 403: forbidden by the test/);
    } finally {
      await server.close();
    }
  });

  it('exits 1 on a command it does not know', async () => {
    const server = await startApi();
    try {
      const result = await run(['rotate', `--api-url=${server.url}`, `--service-account-dir=${server.account}`, `--namespace=${NAMESPACE}`]);
      assert.equal(result.code, 1);
      assert.match(result.output, /unknown command rotate: ensure-secrets or patch-ca-bundle/);
    } finally {
      await server.close();
    }
  });
});
