import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startRedisServer, type RedisServer } from '../helpers/redis-harness.js';
import { startUpstream } from '../helpers/upstream.js';
import { secretsDir } from '../helpers/sidecar.js';
import { send } from '../helpers/http-client.js';
import { sample, scrape } from '../helpers/metrics.js';
import { spawnSidecar, runCli } from '../helpers/cli-process.js';

const SECRET = 'gitlab-shared-secret';
const TOKEN = 'tok_seeded_0123456789abcdefghijklmnopq';
type Sidecar = Awaited<ReturnType<typeof spawnSidecar>>;

describe('three sidecar processes sharing one Redis', () => {
  let redis: RedisServer;
  let app: Awaited<ReturnType<typeof startUpstream>>;
  const secrets = secretsDir();
  let config: string;
  const sidecars: Sidecar[] = [];

  before(async () => {
    redis = await startRedisServer();
    app = await startUpstream();
    config = join(secrets.dir, 'hookguard.json');
    writeFileSync(
      config,
      JSON.stringify({
        upstream: app.url,
        redis: { url: redis.url, onError: 'open' },
        hooks: [
          { name: 'limited', path: '/limited', provider: 'gitlab', secrets: [secrets.secret(SECRET)], rateLimit: { perHook: { points: 10, durationSeconds: 60 } }, lockout: false },
          { name: 'guarded', path: '/guarded', provider: 'gitlab', secrets: [secrets.secret(SECRET)], lockout: { failures: 3, windowSeconds: 60, blockSeconds: 60 } },
          { name: 'tokened', path: '/tokened', provider: 'none', token: secrets.secret(TOKEN), lockout: false },
        ],
      }),
    );
    for (let i = 0; i < 3; i++) sidecars.push(await spawnSidecar(config));
  });

  after(async () => {
    for (const sidecar of sidecars) {
      sidecar.child.kill('SIGTERM');
      await sidecar.exited;
    }
    await app.close();
    await redis.kill();
    secrets.remove();
  });

  const post = (sidecar: Sidecar, path: string, token = SECRET, localAddress?: string) =>
    send(`${sidecar.url}${path}`, { headers: { 'content-type': 'application/json', 'x-gitlab-token': token }, body: '{}', ...(localAddress ? { localAddress } : {}) });

  it('a per-hook limit of 10 admits exactly 10 across the three', async () => {
    const statuses = await Promise.all(Array.from({ length: 30 }, (_, i) => post(sidecars[i % 3]!, '/limited').then((a) => a.status)));
    assert.equal(statuses.filter((s) => s === 200).length, 10);
    assert.equal(statuses.filter((s) => s === 429).length, 20);
  });

  it('a lockout earned on one replica holds on the others', async () => {
    const from = '127.0.3.1';
    assert.deepEqual([(await post(sidecars[0]!, '/guarded', 'x', from)).status, (await post(sidecars[1]!, '/guarded', 'x', from)).status, (await post(sidecars[2]!, '/guarded', 'x', from)).status], [401, 401, 401]);
    for (const sidecar of sidecars) assert.equal((await post(sidecar, '/guarded', SECRET, from)).status, 429);
    assert.equal((await post(sidecars[0]!, '/guarded', SECRET, '127.0.3.2')).status, 200);
  });

  it('an accepted delivery: a copy on the same replica is a duplicate at once, on the others once its settle is written', async () => {
    const deliver = (sidecar: Sidecar, id: string) =>
      send(`${sidecar.url}/guarded`, { headers: { 'content-type': 'application/json', 'x-gitlab-token': SECRET, 'idempotency-key': id }, body: '{}', localAddress: '127.0.4.1' });
    const isDuplicate = (answer: Awaited<ReturnType<typeof deliver>>) => answer.status === 200 && answer.headers['hookguard-duplicate'] === 'true';

    assert.equal((await deliver(sidecars[0]!, 'shared-1')).status, 200);
    // The copy's own script carries the queued settle and applies it before its claim.
    assert.ok(isDuplicate(await deliver(sidecars[0]!, 'shared-1')));
    for (const sidecar of sidecars.slice(1)) assert.ok(isDuplicate(await deliver(sidecar, 'shared-1')), 'and now every replica knows');

    // A copy sent only to another replica finds the claim in flight (409) until the settle is written
    // by the first replica's timer, within its short delay; then it is a duplicate.
    assert.equal((await deliver(sidecars[0]!, 'shared-2')).status, 200);
    const answers: number[] = [];
    const deadline = Date.now() + 2_000;
    for (;;) {
      const answer = await deliver(sidecars[1]!, 'shared-2');
      if (isDuplicate(answer)) break;
      answers.push(answer.status);
      assert.ok(Date.now() < deadline, `no duplicate answer within 2 s: ${answers.join(' ')}`);
    }
    assert.ok(answers.every((status) => status === 409), `before the settle was written: ${answers.join(' ')}`);
    for (const id of ['shared-1', 'shared-2']) assert.equal(app.received.filter((r) => r.headers['idempotency-key'] === id).length, 1, `${id} reached the app once`);
  });

  it('rotation through the CLI reaches every replica within a second; the old token lasts its grace; revoke is immediate', async () => {
    const hit = (sidecar: Sidecar, token: string) => send(`${sidecar.url}/tokened/${token}`, { headers: { 'content-type': 'application/json' }, body: '{}' }).then((a) => a.status);
    for (const sidecar of sidecars) assert.equal(await hit(sidecar, TOKEN), 200, 'the configured token seeds the set');

    const rotated = await runCli(['tokens', 'rotate', '--config', config, '--hook', 'tokened', '--grace', '2s']);
    assert.equal(rotated.code, 0, rotated.stderr);
    const fresh = rotated.stdout.trim().split('\n').at(-1)!;
    assert.match(fresh, /^[A-Za-z0-9_-]{32,}$/);
    const deadline = Date.now() + 1_000;
    for (const sidecar of sidecars) {
      while ((await hit(sidecar, fresh)) !== 200) {
        assert.ok(Date.now() < deadline, 'the new token was not honoured within a second');
        await new Promise((r) => setTimeout(r, 20));
      }
    }
    for (const sidecar of sidecars) assert.equal(await hit(sidecar, TOKEN), 200, 'the old token is valid during its grace');
    await new Promise((r) => setTimeout(r, 2_200));
    for (const sidecar of sidecars) assert.equal(await hit(sidecar, TOKEN), 404, 'and refused after it');

    const listed = await runCli(['tokens', 'list', '--config', config, '--hook', 'tokened']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.ok(!listed.stdout.includes(fresh) && !listed.stdout.includes(TOKEN), 'list never prints a token');
    const keys = (await redis.cli('--scan')).split('\n').filter(Boolean);
    for (const key of keys) {
      const dump = `${key} ${await redis.cli('type', key)} ${await redis.cli('dump', key).catch(() => '')}`;
      assert.ok(!dump.includes(fresh) && !dump.includes(TOKEN), `Redis key ${key} holds a token in clear`);
    }
    const rotations = sample(await scrape(sidecars[1]!.adminUrl), 'hookguard_token_rotations_total', { hook: 'tokened' });
    assert.ok(rotations >= 1, 'every replica counts the rotation it saw');

    // Rotate again with a long grace, then revoke the previous token: refused at once everywhere.
    const second = await runCli(['tokens', 'rotate', '--config', config, '--hook', 'tokened', '--grace', '1h']);
    assert.equal(second.code, 0, second.stderr);
    const newest = second.stdout.trim().split('\n').at(-1)!;
    const { createHash } = await import('node:crypto');
    const freshId = createHash('sha256').update(fresh).digest('hex').slice(0, 8);
    const table = await runCli(['tokens', 'list', '--config', config, '--hook', 'tokened']);
    assert.match(table.stdout, new RegExp(`^${freshId} `, 'm'), 'list shows ids (hash prefixes)');
    for (const sidecar of sidecars) assert.equal(await hit(sidecar, fresh), 200);
    const revoked = await runCli(['tokens', 'revoke', '--config', config, '--hook', 'tokened', '--id', freshId]);
    assert.equal(revoked.code, 0, revoked.stderr);
    const revokeDeadline = Date.now() + 1_000;
    for (const sidecar of sidecars) {
      while ((await hit(sidecar, fresh)) !== 404) {
        assert.ok(Date.now() < revokeDeadline, 'the revoked token was still honoured after a second');
        await new Promise((r) => setTimeout(r, 20));
      }
      assert.equal(await hit(sidecar, newest), 200);
    }
  });

  it('tokens without Redis configured exits 1 and says why', async () => {
    const result = await runCli(['tokens', 'list', '--config', 'deploy/local/hookguard.yaml', '--hook', 'ci']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /redis/i);
  });
});
