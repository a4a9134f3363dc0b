import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { SharedCompilations } from '../../src/config/shared-compilations.js';
import { validateSidecarConfig } from '../../src/config/validate-sidecar-config.js';
import { normalizeAddress } from '../../src/net/normalize-address.js';
import { secretsDir } from '../helpers/sidecar.js';

const secrets = secretsDir();
after(() => secrets.remove());

describe('SharedCompilations', () => {
  it('compiles a pattern once per source, and tells different sources apart', () => {
    const shared = new SharedCompilations();
    const a = shared.pattern('^[a-z_]+$');
    assert.equal(shared.pattern('^[a-z_]+$'), a);
    assert.notEqual(shared.pattern('^[a-z]+$'), a);
    assert.equal(a.test('push'), true);
    assert.equal(a.test('Push'), false);
  });

  it('throws like new RegExp on an invalid pattern, and caches nothing for it', () => {
    const shared = new SharedCompilations();
    assert.throws(() => shared.pattern('('), SyntaxError);
    assert.throws(() => shared.pattern('('), SyntaxError);
  });

  it('compiles a CIDR list once per list, with its problems', () => {
    const shared = new SharedCompilations();
    const first = shared.sources(['10.0.0.0/8', '192.0.2.1']);
    assert.equal(shared.sources(['10.0.0.0/8', '192.0.2.1']), first);
    assert.notEqual(shared.sources(['192.0.2.1', '10.0.0.0/8']), first);
    assert.equal(first.matcher.matches(normalizeAddress('10.1.2.3')!), true);
    assert.equal(first.matcher.matches(normalizeAddress('192.0.2.2')!), false);
    assert.deepEqual(shared.sources(['10.0.0.0/8', 'nonsense!']).problems.map((p) => p.index), [1]);
  });

  it('hooks of one config with the same header pattern, User-Agent pattern and sources share the compiled objects', () => {
    const hook = (name: string) => ({
      name,
      path: `/hooks/${name}`,
      provider: 'gitlab',
      secrets: [secrets.secret('s3cret')],
      sources: ['127.0.0.0/8'],
      headers: { 'X-Gitlab-Event': '^[A-Za-z ]+$' },
      userAgent: '^GitLab/',
    });
    const result = validateSidecarConfig({ upstream: 'http://127.0.0.1:3000', hooks: [hook('a'), hook('b'), { ...hook('c'), sources: ['10.0.0.0/8'], headers: { 'X-Gitlab-Event': '^Push Hook$' } }] }, {});
    assert.ok(result.ok, result.ok ? '' : JSON.stringify(result.problems));
    const [a, b, c] = result.config.hooks;
    assert.equal(a!.headers[0]!.pattern, b!.headers[0]!.pattern);
    assert.equal(a!.userAgent!.pattern, b!.userAgent!.pattern);
    assert.equal(a!.sources, b!.sources);
    assert.notEqual(a!.headers[0]!.pattern, c!.headers[0]!.pattern);
    assert.notEqual(a!.sources, c!.sources);
    assert.equal(c!.sources!.matches(normalizeAddress('127.0.0.1')!), false, 'c keeps its own list');
  });
});
