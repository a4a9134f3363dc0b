import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startSidecar, secretsDir, type TestSidecar } from '../helpers/sidecar.js';
import { startUpstream, deadPort } from '../helpers/upstream.js';
import { send } from '../helpers/http-client.js';
import { sample, scrape } from '../helpers/metrics.js';

const SECRET = 'gitlab-replay-secret';

describe('replay protection by delivery id', () => {
  const secrets = secretsDir();
  let app: Awaited<ReturnType<typeof startUpstream>>;
  let sidecar: TestSidecar;
  let n = 0;
  const deliver = (id: string) =>
    send(`${sidecar.url}/hooks/gitlab`, { headers: { 'content-type': 'application/json', 'x-gitlab-token': SECRET, 'idempotency-key': id }, body: `{"n":${n++}}` });
  const received = (id: string) => app.received.filter((r) => r.headers['idempotency-key'] === id).length;

  before(async () => {
    app = await startUpstream();
    sidecar = await startSidecar({
      upstream: app.url,
      timeouts: { upstreamSeconds: 1 },
      hooks: [{ name: 'gitlab', path: '/hooks/gitlab', provider: 'gitlab', secrets: [secrets.secret(SECRET)], dedupe: { ttlSeconds: 60 } }],
    });
  });
  after(async () => {
    await sidecar.stop();
    await app.close();
    secrets.remove();
  });

  it('answers a delivery the app accepted with 200 Hookguard-Duplicate and does not call the app again', async () => {
    app.setBehaviour((_r, res) => void res.writeHead(201).end('created'));
    assert.equal((await deliver('d-accepted')).status, 201);
    const again = await deliver('d-accepted');
    assert.equal(again.status, 200);
    assert.equal(again.headers['hookguard-duplicate'], 'true');
    assert.equal(received('d-accepted'), 1);
    assert.equal(sample(await scrape(sidecar.adminUrl), 'hookguard_requests_total', { hook: 'gitlab', outcome: 'duplicate' }), 1);
  });

  it('lets the retry through after the app answered 5xx', async () => {
    app.setBehaviour((_r, res) => void res.writeHead(500).end());
    assert.equal((await deliver('d-500')).status, 500);
    app.setBehaviour((_r, res) => void res.writeHead(200).end());
    assert.equal((await deliver('d-500')).status, 200);
    assert.equal((await deliver('d-500')).headers['hookguard-duplicate'], 'true');
    assert.equal(received('d-500'), 2);
  });

  it('lets the retry through after the app timed out', async () => {
    app.setBehaviour((_r, res) => void setTimeout(() => res.writeHead(200).end(), 2_000));
    assert.equal((await deliver('d-slow')).status, 504);
    app.setBehaviour((_r, res) => void res.writeHead(200).end());
    assert.equal((await deliver('d-slow')).status, 200);
  });

  it('answers 409 to a second copy while the first is in flight, and only one reaches the app', async () => {
    app.setBehaviour((_r, res) => void setTimeout(() => res.writeHead(200).end(), 300));
    const [first, second] = await Promise.all([deliver('d-concurrent'), new Promise((r) => setTimeout(r, 50)).then(() => deliver('d-concurrent'))]);
    assert.deepEqual([first.status, second.status], [200, 409]);
    assert.equal(received('d-concurrent'), 1);
    assert.equal(sample(await scrape(sidecar.adminUrl), 'hookguard_rejections_total', { hook: 'gitlab', reason: 'replay' }), 1);
    app.setBehaviour((_r, res) => void res.writeHead(200).end());
  });

  it('never records a delivery as done when the app is down', async () => {
    const secrets2 = secretsDir();
    const down = await startSidecar({
      upstream: `http://127.0.0.1:${await deadPort()}`,
      hooks: [{ name: 'gitlab', path: '/hooks/gitlab', provider: 'gitlab', secrets: [secrets2.secret(SECRET)] }],
    });
    try {
      const headers = { 'content-type': 'application/json', 'x-gitlab-token': SECRET, 'idempotency-key': 'd-down' };
      assert.equal((await send(`${down.url}/hooks/gitlab`, { headers, body: '{}' })).status, 502);
      const retry = await send(`${down.url}/hooks/gitlab`, { headers, body: '{}' });
      assert.equal(retry.status, 502, 'the retry reaches the (still absent) app instead of a replay answer');
      assert.equal(retry.headers['hookguard-duplicate'], undefined);
    } finally {
      await down.stop();
      secrets2.remove();
    }
  });
});
