import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Registry } from 'prom-client';
import { PresetBook } from '../../src/sources/preset-book.js';
import { createPresetRefresher } from '../../src/sources/preset-refresher.js';
import { SOURCE_PRESETS } from '../../src/sources/presets.js';
import { normalizeAddress } from '../../src/net/normalize-address.js';
import { captureLogger } from '../helpers/log-sink.js';
import { startSidecar, secretsDir } from '../helpers/sidecar.js';
import { startUpstream, deadPort } from '../helpers/upstream.js';
import { send } from '../helpers/http-client.js';
import { sample, scrape } from '../helpers/metrics.js';

/** A fake feed whose next answer the test chooses. */
async function startFeed() {
  let answer: (res: http.ServerResponse) => void = (res) => void res.writeHead(404).end();
  let hits = 0;
  const server = http.createServer((_req, res) => {
    hits++;
    answer(res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/meta`,
    hits: () => hits,
    serve(next: (res: http.ServerResponse) => void) {
      answer = next;
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

describe('the provider range refresher', () => {
  let feed: Awaited<ReturnType<typeof startFeed>>;
  const book = new PresetBook();
  const log = captureLogger();
  const registry = new Registry();
  const refreshes = new Counter({ name: 'refreshes', help: 'h', labelNames: ['provider', 'result'] as const, registers: [registry] });
  let refresher: ReturnType<typeof createPresetRefresher>;
  const count = async (result: string) => sample(await registry.metrics(), 'refreshes', { provider: 'github', result });
  const allows = (address: string) => book.matcherOf('github')!.matches(normalizeAddress(address)!);

  before(async () => {
    feed = await startFeed();
    refresher = createPresetRefresher({ targets: [{ provider: 'github', url: feed.url }], book, logger: log.logger, refreshes, intervalMs: 3_600_000, timeoutMs: 500 });
  });
  after(async () => {
    refresher.close();
    await feed.close();
  });

  it('starts from the shipped list', () => {
    assert.deepEqual(book.cidrsOf('github'), SOURCE_PRESETS.github!.cidrs);
    assert.ok(allows('140.82.112.10'));
  });

  it('swaps in a good list', async () => {
    feed.serve((res) => void res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ hooks: ['1.2.3.0/24', '2001:4860::/32'], web: ['9.9.9.9/32'] })));
    await refresher.refreshNow();
    assert.deepEqual(book.cidrsOf('github'), ['1.2.3.0/24', '2001:4860::/32']);
    assert.ok(allows('1.2.3.4'));
    assert.ok(!allows('140.82.112.10'), 'the old ranges are gone');
    assert.equal(await count('updated'), 1);
  });

  it('counts the same list again as unchanged', async () => {
    await refresher.refreshNow();
    assert.equal(await count('unchanged'), 1);
  });

  const bad: [string, (res: http.ServerResponse) => void, string][] = [
    ['a list with a bad entry', (res) => void res.writeHead(200).end(JSON.stringify({ hooks: ['1.2.3.0/24', 'not-a-cidr'] })), 'invalid'],
    ['a list with a private range', (res) => void res.writeHead(200).end(JSON.stringify({ hooks: ['10.0.0.0/8'] })), 'invalid'],
    ['an empty list', (res) => void res.writeHead(200).end(JSON.stringify({ hooks: [] })), 'invalid'],
    ['a document without the key', (res) => void res.writeHead(200).end('{"web": ["1.1.1.1/32"]}'), 'invalid'],
    ['HTML instead of JSON', (res) => void res.writeHead(200, { 'content-type': 'text/html' }).end('<html>oops</html>'), 'invalid'],
    ['an empty body', (res) => void res.writeHead(200).end(), 'invalid'],
    ['a 503', (res) => void res.writeHead(503).end(), 'failed'],
    ['no answer within the timeout', () => {}, 'failed'],
  ];
  for (const [name, serve, result] of bad) {
    it(`keeps the last good list on ${name}`, async () => {
      const before = await count(result);
      feed.serve(serve);
      await refresher.refreshNow();
      assert.deepEqual(book.cidrsOf('github'), ['1.2.3.0/24', '2001:4860::/32']);
      assert.equal(await count(result), before + 1);
      assert.ok(log.records().some((r) => r.event === (result === 'failed' ? 'preset_refresh_failed' : 'preset_refresh_invalid')));
    });
  }

  it('keeps the last good list when nothing listens at all', async () => {
    const gone = createPresetRefresher({ targets: [{ provider: 'github', url: `http://127.0.0.1:${await deadPort()}/meta` }], book, logger: log.logger, refreshes, intervalMs: 3_600_000 });
    await gone.refreshNow();
    gone.close();
    assert.deepEqual(book.cidrsOf('github'), ['1.2.3.0/24', '2001:4860::/32']);
  });
});

describe('a sidecar with presetRefresh', () => {
  it('admits a source once the refreshed list has it', async () => {
    const feed = await startFeed();
    feed.serve((res) => void res.writeHead(200).end(JSON.stringify({ hooks: ['1.2.3.0/24'] })));
    const secrets = secretsDir();
    const app = await startUpstream();
    const sidecar = await startSidecar({
      upstream: app.url,
      trustedProxies: ['127.0.0.0/8'],
      presetRefresh: { intervalSeconds: 3600, providers: ['github'], urls: { github: feed.url } },
      hooks: [{ name: 'gl', path: '/gl', provider: 'gitlab', secrets: [secrets.secret('s')], sources: ['github'] }],
    });
    try {
      const deadline = Date.now() + 5_000;
      while (sample(await scrape(sidecar.adminUrl), 'hookguard_preset_refreshes_total', { provider: 'github', result: 'updated' }) < 1) {
        assert.ok(Date.now() < deadline, 'the refresh at start never happened');
        await new Promise((r) => setTimeout(r, 50));
      }
      const post = (client: string) => send(`${sidecar.url}/gl`, { headers: { 'content-type': 'application/json', 'x-gitlab-token': 's', 'x-forwarded-for': client }, body: '{}' });
      assert.equal((await post('1.2.3.4')).status, 200);
      assert.equal((await post('140.82.112.10')).status, 403, 'ranges dropped from the feed no longer pass');
    } finally {
      await sidecar.stop();
      await app.close();
      await feed.close();
      secrets.remove();
    }
  });
});

describe('replicas sharing provider ranges through Redis', () => {
  it('fetches once for all replicas, and every replica applies the list', async () => {
    const { startRedisServer } = await import('../helpers/redis-harness.js');
    const redis = await startRedisServer();
    const feed = await startFeed();
    feed.serve((res) => void res.writeHead(200).end(JSON.stringify({ hooks: ['1.2.3.0/24'] })));
    const secrets = secretsDir();
    const app = await startUpstream();
    const config = {
      upstream: app.url,
      trustedProxies: ['127.0.0.0/8'],
      redis: { url: redis.url },
      presetRefresh: { intervalSeconds: 3600, providers: ['github'], urls: { github: feed.url } },
      hooks: [{ name: 'gl', path: '/gl', provider: 'gitlab', secrets: [secrets.secret('s')], sources: ['github'] }],
    };
    const first = await startSidecar(config);
    const refreshed = async (url: string) => {
      const metrics = await scrape(url);
      return sample(metrics, 'hookguard_preset_refreshes_total', { provider: 'github', result: 'updated' }) + sample(metrics, 'hookguard_preset_refreshes_total', { provider: 'github', result: 'shared' });
    };
    const second = await (async () => {
      const deadline = Date.now() + 5_000;
      while ((await refreshed(first.adminUrl)) < 1) {
        assert.ok(Date.now() < deadline, 'the first replica never refreshed');
        await new Promise((r) => setTimeout(r, 50));
      }
      return startSidecar(config);
    })();
    try {
      const deadline = Date.now() + 5_000;
      while ((await refreshed(second.adminUrl)) < 1) {
        assert.ok(Date.now() < deadline, 'the second replica never applied the list');
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.equal(feed.hits(), 1, 'one fetch for both replicas');
      assert.equal(sample(await scrape(second.adminUrl), 'hookguard_preset_refreshes_total', { provider: 'github', result: 'shared' }), 1);
      for (const sidecar of [first, second]) {
        const answer = await send(`${sidecar.url}/gl`, { headers: { 'content-type': 'application/json', 'x-gitlab-token': 's', 'x-forwarded-for': '1.2.3.4' }, body: '{}' });
        assert.equal(answer.status, 200);
      }
    } finally {
      await second.stop();
      await first.stop();
      await app.close();
      await feed.close();
      await redis.kill();
      secrets.remove();
    }
  });
});
