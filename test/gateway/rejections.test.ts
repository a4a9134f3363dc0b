import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import http from 'node:http';
import { startSidecar, secretsDir, type TestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';
import { send } from '../helpers/http-client.js';
import { sample, scrape } from '../helpers/metrics.js';

const TOKEN = 'tok_0123456789abcdefghijklmnopqrstuv';
const GITLAB_SECRET = 'gitlab-shared-token-value';

describe('gateway rejections', () => {
  const secrets = secretsDir();
  let upstream: Awaited<ReturnType<typeof startUpstream>>;
  let sidecar: TestSidecar;

  before(async () => {
    upstream = await startUpstream();
    sidecar = await startSidecar({
      upstream: upstream.url,
      timeouts: { headersSeconds: 1, requestSeconds: 5 },
      hooks: [
        { name: 'ci', path: '/hooks/ci', provider: 'none', token: secrets.secret(TOKEN), lockout: false },
        {
          name: 'gitlab',
          path: '/hooks/gitlab',
          provider: 'gitlab',
          secrets: [secrets.secret(GITLAB_SECRET)],
          headers: { 'X-Gitlab-Event': '^[A-Za-z ]+ Hook$' },
          maxBodyBytes: 1024,
          lockout: false,
        },
        { name: 'restricted', path: '/hooks/restricted', provider: 'gitlab', secrets: [secrets.secret(GITLAB_SECRET)], sources: ['10.0.0.0/8'], lockout: false },
      ],
    });
  });

  after(async () => {
    await sidecar.stop();
    await upstream.close();
    secrets.remove();
  });

  const goodGitlab = { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': GITLAB_SECRET, 'user-agent': 'GitLab/17.0' };

  const cases: { name: string; path: string; method?: string; headers?: Record<string, string>; body?: string | Buffer; status: number; reason: string; hook: string }[] = [
    { name: 'a GET is 405', path: `/hooks/ci/${TOKEN}`, method: 'GET', status: 405, reason: 'method', hook: 'ci' },
    { name: 'a PUT on an unknown path is 405 too (method first)', path: '/nowhere', method: 'PUT', status: 405, reason: 'method', hook: 'unmatched' },
    { name: 'an OPTIONS preflight is 405', path: '/hooks/gitlab', method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' }, status: 405, reason: 'method', hook: 'gitlab' },
    { name: 'an unknown path is 404', path: '/hooks/nothing-here', status: 404, reason: 'not_found', hook: 'unmatched' },
    { name: 'a wrong URL token is 404', path: '/hooks/ci/tok_wrongwrongwrongwrongwrongwrongwrong', headers: { 'content-type': 'application/json' }, body: '{}', status: 404, reason: 'not_found', hook: 'ci' },
    { name: 'a missing URL token is 404', path: '/hooks/ci', headers: { 'content-type': 'application/json' }, body: '{}', status: 404, reason: 'not_found', hook: 'ci' },
    { name: 'a source outside the allowlist is 403', path: '/hooks/restricted', headers: goodGitlab, body: '{}', status: 403, reason: 'source', hook: 'restricted' },
    { name: 'a spoofed X-Forwarded-For from an untrusted peer is not believed', path: '/hooks/restricted', headers: { ...goodGitlab, 'x-forwarded-for': '10.1.2.3' }, body: '{}', status: 403, reason: 'source', hook: 'restricted' },
    { name: 'a browser Origin is 403', path: '/hooks/gitlab', headers: { ...goodGitlab, origin: 'https://evil.example' }, body: '{}', status: 403, reason: 'origin', hook: 'gitlab' },
    { name: 'a missing required header is 400', path: '/hooks/gitlab', headers: { 'content-type': 'application/json', 'x-gitlab-token': GITLAB_SECRET }, body: '{}', status: 400, reason: 'header', hook: 'gitlab' },
    { name: 'a required header that does not match is 400', path: '/hooks/gitlab', headers: { ...goodGitlab, 'x-gitlab-event': 'push; rm -rf' }, body: '{}', status: 400, reason: 'header', hook: 'gitlab' },
    { name: 'a wrong content type is 415', path: '/hooks/gitlab', headers: { ...goodGitlab, 'content-type': 'text/plain' }, body: '{}', status: 415, reason: 'content_type', hook: 'gitlab' },
    { name: 'a missing content type is 415', path: '/hooks/gitlab', headers: { 'x-gitlab-event': 'Push Hook', 'x-gitlab-token': GITLAB_SECRET }, body: '{}', status: 415, reason: 'content_type', hook: 'gitlab' },
    { name: 'a body over maxBodyBytes with Content-Length is 413', path: '/hooks/gitlab', headers: goodGitlab, body: Buffer.alloc(1025, 0x61), status: 413, reason: 'too_large', hook: 'gitlab' },
    { name: 'a wrong signature token is 401', path: '/hooks/gitlab', headers: { ...goodGitlab, 'x-gitlab-token': 'not-the-token' }, body: '{}', status: 401, reason: 'signature', hook: 'gitlab' },
    { name: 'a missing signature is 401', path: '/hooks/gitlab', headers: { 'content-type': 'application/json', 'x-gitlab-event': 'Push Hook' }, body: '{}', status: 401, reason: 'signature', hook: 'gitlab' },
  ];

  for (const c of cases) {
    it(c.name, async () => {
      const before = sample(await scrape(sidecar.adminUrl), 'hookguard_rejections_total', { hook: c.hook, reason: c.reason });
      const logCount = sidecar.log.records().filter((r) => r.event === 'rejected' && r.reason === c.reason).length;
      const received = upstream.received.length;
      const answer = await send(`${sidecar.url}${c.path}`, { method: c.method ?? 'POST', headers: c.headers ?? {}, ...(c.body !== undefined ? { body: c.body } : {}) });
      assert.equal(answer.status, c.status);
      if (c.status === 405) assert.equal(answer.headers.allow, 'POST');
      assert.equal(Object.keys(answer.headers).some((h) => h.startsWith('access-control-')), false);
      const after = sample(await scrape(sidecar.adminUrl), 'hookguard_rejections_total', { hook: c.hook, reason: c.reason });
      assert.equal(after, before + 1);
      const lines = sidecar.log.records().filter((r) => r.event === 'rejected' && r.reason === c.reason);
      assert.equal(lines.length, logCount + 1);
      const line = lines.at(-1)!;
      assert.equal(line.level, 40);
      assert.equal(line.hook, c.hook);
      assert.equal(line.source, '127.0.0.1');
      assert.equal(typeof line.requestId, 'string');
      assert.equal(upstream.received.length, received, 'a rejected request never reaches the app');
    });
  }

  it('a chunked body with no Content-Length is refused with 413 once it passes the limit', async () => {
    const before = sample(await scrape(sidecar.adminUrl), 'hookguard_rejections_total', { hook: 'gitlab', reason: 'too_large' });
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(`${sidecar.url}/hooks/gitlab`, { method: 'POST', headers: goodGitlab, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      // 600 bytes per write, never ending on our own: the sidecar must decide mid-stream.
      const timer = setInterval(() => req.write(Buffer.alloc(600, 0x62)), 20);
      req.on('close', () => clearInterval(timer));
    });
    assert.equal(status, 413);
    assert.equal(sample(await scrape(sidecar.adminUrl), 'hookguard_rejections_total', { hook: 'gitlab', reason: 'too_large' }), before + 1);
  });

  it('a slow client that never finishes its headers gets 408 and the socket is closed', async () => {
    const before = sample(await scrape(sidecar.adminUrl), 'hookguard_rejections_total', { hook: 'unmatched', reason: 'timeout' });
    const port = Number(new URL(sidecar.url).port);
    const reply = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(port, '127.0.0.1', () => socket.write('POST /hooks/gitlab HTTP/1.1\r\nHost: x\r\nX-Slow: '));
      let data = '';
      socket.on('data', (chunk) => (data += chunk.toString()));
      socket.on('close', () => resolve(data));
      socket.on('error', reject);
    });
    assert.match(reply, /^HTTP\/1\.1 408 /);
    assert.equal(sample(await scrape(sidecar.adminUrl), 'hookguard_rejections_total', { hook: 'unmatched', reason: 'timeout' }), before + 1);
    assert.ok(sidecar.log.records().some((r) => r.event === 'rejected' && r.reason === 'timeout'));
  });

  it('a request head over maxHeaderBytes is 431', async () => {
    const answer = await send(`${sidecar.url}/hooks/gitlab`, { headers: { ...goodGitlab, 'x-padding': 'p'.repeat(20_000) }, body: '{}' }).catch((error: Error) => error);
    assert.ok(!(answer instanceof Error), 'the client gets an answer, not a reset');
    assert.equal(answer.status, 431);
  });

  it('accepts the same deliveries when every check passes', async () => {
    const token = await send(`${sidecar.url}/hooks/ci/${TOKEN}`, { headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(token.status, 200);
    const gitlab = await send(`${sidecar.url}/hooks/gitlab`, { headers: goodGitlab, body: '{}' });
    assert.equal(gitlab.status, 200);
  });
});
