import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import https from 'node:https';
import tls from 'node:tls';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createInjectorAdminServer } from '../../src/injector/injector-admin-server.js';
import { createInjectorMetrics } from '../../src/injector/injector-metrics.js';
import { createInjectorServer, type InjectorServer } from '../../src/injector/injector-server.js';
import { mutate } from '../../src/injector/review-response.js';
import { captureLogger } from '../helpers/log-sink.js';
import { send } from '../helpers/http-client.js';
import { sample } from '../helpers/metrics.js';
import { annotatedPod, decodePatch, podReview, TEST_OPTIONS } from './fixtures.js';
import { httpsRequest } from './https-client.js';
import { makeCertificate, type Certificate } from './make-certificate.js';

const MAX_BODY = 64 * 1024;

describe('createInjectorServer over real HTTPS', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookguard-injector-server-'));
  const log = captureLogger('debug');
  const metrics = createInjectorMetrics();
  let certificate: Certificate;
  let injector: InjectorServer;
  let port: number;
  let failing = false;
  let admin: ReturnType<typeof createInjectorAdminServer>;
  let adminPort: number;
  let ready = true;

  before(async () => {
    certificate = makeCertificate(dir, 'tls');
    injector = createInjectorServer({
      tls: certificate,
      options: TEST_OPTIONS,
      logger: log.logger,
      metrics,
      maxBodyBytes: MAX_BODY,
      headersTimeoutMs: 1_000,
      requestTimeoutMs: 2_000,
      mutate: (request, options) => {
        if (failing) throw new Error('a bug');
        return mutate(request, options);
      },
    });
    port = (await injector.listen({ host: '127.0.0.1', port: 0 })).port;
    admin = createInjectorAdminServer({ metrics, logger: log.logger, isReady: () => ready });
    adminPort = (await admin.listen({ host: '127.0.0.1', port: 0 })).port;
  });

  after(async () => {
    await injector.close(1_000);
    await admin.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const post = (body: unknown, extra: { path?: string; method?: string } = {}) =>
    httpsRequest({ port, ca: certificate.cert, body: typeof body === 'string' ? body : JSON.stringify(body), ...extra });

  it('answers a pod CREATE with a patch, over TLS verified against the test certificate', async () => {
    const answer = await post(podReview(annotatedPod()));
    assert.equal(answer.status, 200);
    assert.match(String(answer.headers['content-type']), /application\/json/);
    assert.equal(answer.fingerprint, certificate.fingerprint);
    const review = JSON.parse(answer.text);
    assert.equal(review.response.uid, '705ab4f5-6393-11e8-b7cc-42010a800002');
    assert.equal(review.response.allowed, true);
    assert.ok(decodePatch(review).some((op) => op.path === '/spec/initContainers'));
  });

  it('ignores the ?timeout= query the API server appends', async () => {
    const answer = await post(podReview(annotatedPod()), { path: '/mutate?timeout=10s' });
    assert.equal(answer.status, 200);
  });

  it('denies bad annotations inside a 200 answer, naming the annotation', async () => {
    const answer = await post(podReview(annotatedPod({ 'hookguard.io/upstream-port': 'web' })));
    assert.equal(answer.status, 200);
    const review = JSON.parse(answer.text);
    assert.equal(review.response.allowed, false);
    assert.match(review.response.status.message, /hookguard\.io\/upstream-port: "web" is not accepted; accepted values: a port number/);
  });

  it('allows a non-Pod object without a patch', async () => {
    const answer = await post(podReview({ kind: 'Service' }, { kind: { group: '', version: 'v1', kind: 'Service' } }));
    assert.equal(answer.status, 200);
    assert.deepEqual(JSON.parse(answer.text).response, { uid: '705ab4f5-6393-11e8-b7cc-42010a800002', allowed: true });
  });

  const refusals: [string, { body?: string; path?: string; method?: string }, number][] = [
    ['a body that is not JSON', { body: '{"apiVersion":' }, 400],
    ['JSON that is not an AdmissionReview', { body: '{"hello":"world"}' }, 400],
    ['an AdmissionReview without a uid', { body: JSON.stringify(podReview(annotatedPod(), { uid: undefined })) }, 400],
    ['an empty body', { body: '' }, 400],
    ['a GET', { method: 'GET' }, 405],
    ['another path', { path: '/validate' }, 404],
  ];
  for (const [what, request, status] of refusals) {
    it(`answers ${status} to ${what}`, async () => {
      const answer = await httpsRequest({ port, ca: certificate.cert, body: request.body ?? '{}', ...request });
      assert.equal(answer.status, status);
      if (status === 405) assert.equal(answer.headers.allow, 'POST');
    });
  }

  it('answers 413 to a body over the cap streamed without Content-Length', async () => {
    const answer = await httpsRequest({ port, ca: certificate.cert, body: Buffer.alloc(MAX_BODY + 1, 0x20), headers: { 'transfer-encoding': 'chunked' } });
    assert.equal(answer.status, 413);
  });

  it('answers 413 from Content-Length alone, before the body is sent', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const req = https.request(
        { host: '127.0.0.1', port, path: '/mutate', method: 'POST', ca: certificate.cert, agent: false, headers: { 'content-length': String(50 * 1024 * 1024) } },
        (res) => {
          resolve(res.statusCode ?? 0);
          req.destroy();
        },
      );
      req.on('error', reject);
      req.flushHeaders();
    });
    assert.equal(status, 413);
  });

  it('answers 500 to an internal error, so the API server applies failurePolicy, and keeps serving', async () => {
    failing = true;
    try {
      const answer = await post(podReview(annotatedPod()));
      assert.equal(answer.status, 500);
      assert.doesNotMatch(answer.text, /a bug/);
    } finally {
      failing = false;
    }
    assert.equal((await post(podReview(annotatedPod()))).status, 200);
    assert.ok(log.records().some((r) => r.msg === 'injection failed' && r.level === 50));
  });

  it('survives a client that speaks plain HTTP to the TLS port', async () => {
    await assert.rejects(send(`http://127.0.0.1:${port}/mutate`, { body: '{}' }));
    assert.equal((await post(podReview(annotatedPod()))).status, 200);
  });

  it('survives a client that goes away in the middle of a body', async () => {
    await new Promise<void>((resolve) => {
      const req = https.request({ host: '127.0.0.1', port, path: '/mutate', method: 'POST', ca: certificate.cert, agent: false, headers: { 'content-length': '1000' } });
      req.on('error', () => resolve());
      req.write('{"apiVersion":', () => setTimeout(() => req.destroy(), 50));
      req.on('close', () => resolve());
    });
    assert.equal((await post(podReview(annotatedPod()))).status, 200);
  });

  it('drops a client that sends its headers too slowly', async () => {
    const started = Date.now();
    const closed = await new Promise<string>((resolve, reject) => {
      const socket = tls.connect({ host: '127.0.0.1', port, ca: certificate.cert }, () => socket.write('POST /mutate HTTP/1.1\r\nHost: injector\r\n'));
      let received = '';
      socket.on('data', (chunk: Buffer) => (received += chunk.toString()));
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
    });
    assert.ok(Date.now() - started < 5_000, 'closed within the headers timeout and its checking interval');
    assert.match(closed, /^$|^HTTP\/1\.1 408/);
  });

  it('logs every decision with its result and reason', () => {
    const decisions = log.records().filter((r) => typeof r.result === 'string');
    assert.ok(
      decisions.some((r) => {
        const admission = r.admission as Record<string, string>;
        return r.result === 'injected' && admission.namespace === 'shop' && admission.name === 'web-5d8f7c9b4-' && admission.uid !== undefined;
      }),
    );
    assert.ok(decisions.some((r) => r.result === 'denied' && Array.isArray(r.problems)));
    assert.ok(decisions.some((r) => r.result === 'skipped' && r.reason === 'not_pod_create'));
  });

  it('counts every result in hookguard_injections_total on the admin port, with default metrics', async () => {
    const answer = await send(`http://127.0.0.1:${adminPort}/metrics`, { method: 'GET' });
    assert.equal(answer.status, 200);
    const name = 'hookguard_injections_total';
    assert.ok(sample(answer.text, name, { result: 'injected' }) >= 4);
    assert.equal(sample(answer.text, name, { result: 'denied' }), 1);
    assert.equal(sample(answer.text, name, { result: 'skipped' }), 1);
    // Four 400s, two 413s and one internal error; a 404 or 405 is not an admission request.
    assert.equal(sample(answer.text, name, { result: 'error' }), 7);
    assert.match(answer.text, /^process_cpu_user_seconds_total /m);
  });

  it('answers /healthz, and /readyz by readiness', async () => {
    assert.equal((await send(`http://127.0.0.1:${adminPort}/healthz`, { method: 'GET' })).status, 200);
    assert.equal((await send(`http://127.0.0.1:${adminPort}/readyz`, { method: 'GET' })).status, 200);
    ready = false;
    assert.equal((await send(`http://127.0.0.1:${adminPort}/readyz`, { method: 'GET' })).status, 503);
    ready = true;
    assert.equal((await send(`http://127.0.0.1:${adminPort}/nope`, { method: 'GET' })).status, 404);
    assert.equal((await send(`http://127.0.0.1:${adminPort}/metrics`, { method: 'POST' })).status, 405);
  });
});

describe('createInjectorMetrics', () => {
  it('starts every result at 0', async () => {
    const text = await createInjectorMetrics({ defaultMetrics: false }).registry.metrics();
    for (const result of ['injected', 'skipped', 'denied', 'error']) {
      assert.match(text, new RegExp(`^hookguard_injections_total\\{result="${result}"\\} 0$`, 'm'));
    }
  });
});
