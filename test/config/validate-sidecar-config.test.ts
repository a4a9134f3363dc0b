import { describe, it, after } from 'node:test';
import assert from 'node:assert/strict';
import { validateSidecarConfig } from '../../src/config/validate-sidecar-config.js';
import { secretsDir } from '../helpers/sidecar.js';

const secrets = secretsDir();
after(() => secrets.remove());
const TOKEN = 'tok_config_0123456789abcdefghijklmnopq';

function problemsOf(raw: unknown, env: NodeJS.ProcessEnv = {}) {
  const result = validateSidecarConfig(raw, env);
  return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
}

describe('validateSidecarConfig', () => {
  const minimal = () => ({ upstream: 'http://127.0.0.1:3000', hooks: [{ name: 'gh', path: '/hooks/gh', provider: 'gitlab', secrets: [secrets.secret('s3cret')] }] });

  it('accepts a minimal config and fills the contract defaults', () => {
    const result = validateSidecarConfig(minimal(), {});
    assert.ok(result.ok);
    const hook = result.config.hooks[0]!;
    assert.deepEqual(result.config.listen, { host: '0.0.0.0', port: 8080 });
    assert.deepEqual(result.config.admin, { host: '0.0.0.0', port: 9102 });
    assert.equal(hook.upstreamPath, '/hooks/gh');
    assert.equal(hook.maxBodyBytes, 1_048_576);
    assert.equal(result.config.maxBufferedBodyBytes, 32 * 1_048_576);
    assert.equal(hook.toleranceSeconds, 300);
    assert.deepEqual(hook.limits.lockout, { failures: 20, windowSeconds: 600, blockSeconds: 900 });
    assert.equal(hook.limits.perSource, undefined, 'absent rateLimit: no limit');
    assert.deepEqual(hook.secrets, ['s3cret'], 'the trailing newline of the secret file is dropped');
    assert.ok(Object.isFrozen(result.config) && Object.isFrozen(hook));
  });

  it('resolves {env} secrets', () => {
    const raw = { ...minimal(), hooks: [{ name: 'gh', path: '/hooks/gh', provider: 'gitlab', secrets: [{ env: 'GL_SECRET' }] }] };
    const result = validateSidecarConfig(raw, { GL_SECRET: 'from-env' });
    assert.ok(result.ok);
    assert.deepEqual(result.config.hooks[0]!.secrets, ['from-env']);
  });

  const bad: { name: string; raw: () => unknown; expect: RegExp[] }[] = [
    { name: 'not a mapping', raw: () => 'hello', expect: [/^\(top level\): /] },
    { name: 'missing upstream and hooks', raw: () => ({}), expect: [/^upstream: is required/, /^hooks: must be a non-empty list/] },
    { name: 'an unknown top-level key', raw: () => ({ ...minimal(), listn: ':8080' }), expect: [/^listn: unknown key/] },
    { name: 'a bad listen address', raw: () => ({ ...minimal(), listen: 'localhost' }), expect: [/^listen: expected HOST:PORT/] },
    { name: 'an upstream with a path', raw: () => ({ ...minimal(), upstream: 'http://127.0.0.1:3000/app' }), expect: [/^upstream: must be scheme, host and port only/] },
    { name: 'an inline secret', raw: () => ({ ...minimal(), hooks: [{ name: 'gh', path: '/hooks/gh', provider: 'gitlab', secrets: ['plain'] }] }), expect: [/^hooks\[0\]\.secrets\[0\]: secrets are never written inline/] },
    { name: 'a missing secret file', raw: () => ({ ...minimal(), hooks: [{ name: 'gh', path: '/hooks/gh', provider: 'gitlab', secrets: [{ file: '/nonexistent/secret' }] }] }), expect: [/^hooks\[0\]\.secrets\[0\]: cannot read secret file \/nonexistent\/secret: ENOENT/] },
    { name: 'an unset env secret', raw: () => ({ ...minimal(), hooks: [{ name: 'gh', path: '/hooks/gh', provider: 'gitlab', secrets: [{ env: 'NOPE' }] }] }), expect: [/^hooks\[0\]\.secrets\[0\]: environment variable NOPE is not set/] },
    { name: 'provider none without a token', raw: () => ({ ...minimal(), hooks: [{ name: 'open', path: '/hooks/open', provider: 'none' }] }), expect: [/^hooks\[0\]\.token: is required when provider is none/] },
    { name: 'a short token', raw: () => ({ ...minimal(), hooks: [{ name: 't', path: '/t', provider: 'none', token: secrets.secret('short') }] }), expect: [/^hooks\[0\]\.token: the token must be 32 to 256 URL-safe/] },
    { name: 'an unknown provider', raw: () => ({ ...minimal(), hooks: [{ name: 'x', path: '/x', provider: 'paypal', secrets: [secrets.secret('a')] }] }), expect: [/^hooks\[0\]\.provider: must be one of/] },
    { name: 'a bad hook name and path', raw: () => ({ ...minimal(), hooks: [{ name: 'GitHub!', path: 'hooks', provider: 'gitlab', secrets: [secrets.secret('a')] }] }), expect: [/^hooks\[0\]\.name: must match/, /^hooks\[0\]\.path: must be an absolute URL path/] },
    {
      name: 'duplicate names and paths',
      raw: () => ({ ...minimal(), hooks: [minimal().hooks[0], { name: 'gh', path: '/hooks/gh', provider: 'gitlab', secrets: [secrets.secret('a')] }] }),
      expect: [/^hooks\[1\]\.name: "gh" is already used/, /^hooks\[1\]\.path: "\/hooks\/gh" is already used/],
    },
    { name: 'a bad CIDR in sources', raw: () => ({ ...minimal(), hooks: [{ ...minimal().hooks[0], sources: ['10.0.0.0/33'] }] }), expect: [/^hooks\[0\]\.sources\[0\]: "10\.0\.0\.0\/33" is not an IP address or CIDR range/] },
    { name: 'an unknown source preset', raw: () => ({ ...minimal(), hooks: [{ ...minimal().hooks[0], sources: ['nosuchprovider'] }] }), expect: [/^hooks\[0\]\.sources\[0\]: "nosuchprovider" is not a provider with published ranges/] },
    { name: 'a bad header pattern', raw: () => ({ ...minimal(), hooks: [{ ...minimal().hooks[0], headers: { 'X-Event': '([' } }] }), expect: [/^hooks\[0\]\.headers\.X-Event: is not a valid regular expression/] },
    { name: 'a bad rate limit', raw: () => ({ ...minimal(), hooks: [{ ...minimal().hooks[0], rateLimit: { perSource: { points: 0 } } }] }), expect: [/perSource\.points: must be a whole number/, /perSource\.durationSeconds: is required/] },
    { name: 'twilio without publicUrl', raw: () => ({ ...minimal(), hooks: [{ name: 'tw', path: '/tw', provider: 'twilio', secrets: [secrets.secret('a')] }] }), expect: [/^hooks\[0\]\.publicUrl: is required for twilio/] },
    { name: 'hmac without settings', raw: () => ({ ...minimal(), hooks: [{ name: 'h', path: '/h', provider: 'hmac', secrets: [secrets.secret('a')] }] }), expect: [/^hooks\[0\]\.hmac: is required when provider is hmac/] },
    { name: 'redis with two modes', raw: () => ({ ...minimal(), redis: { url: 'redis://r:6379', cluster: { nodes: ['a:1'] } } }), expect: [/^redis: takes one of url, sentinel or cluster, not url and cluster/] },
    { name: 'redis with a bad onError', raw: () => ({ ...minimal(), redis: { url: 'redis://r:6379', onError: 'maybe' } }), expect: [/^redis\.onError: must be one of: open, closed/] },
    { name: 'sentinel without a name', raw: () => ({ ...minimal(), redis: { sentinel: { nodes: ['s:26379'] } } }), expect: [/^redis\.sentinel\.name: is required/] },
  ];

  for (const c of bad) {
    it(`reports ${c.name} with its key path`, () => {
      const problems = problemsOf(c.raw());
      assert.ok(problems.length >= c.expect.length, `expected problems, got ${JSON.stringify(problems)}`);
      for (const pattern of c.expect) assert.ok(problems.some((p) => pattern.test(p)), `${pattern} not in ${JSON.stringify(problems, null, 1)}`);
    });
  }

  it('refuses a body budget smaller than a hook\'s body limit, naming the hook', () => {
    const raw = { ...minimal(), maxBufferedBodyBytes: 1_000_000 };
    assert.deepEqual(problemsOf(raw), ['maxBufferedBodyBytes: 1000000 is below the maxBodyBytes 1048576 of hook "gh": its largest deliveries could never be read']);
    const small = { ...minimal(), maxBufferedBodyBytes: 1_000_000, hooks: [{ ...minimal().hooks[0]!, maxBodyBytes: 1_000_000 }] };
    assert.deepEqual(problemsOf(small), []);
    assert.deepEqual(problemsOf({ ...minimal(), maxBufferedBodyBytes: 1_000 }), ['maxBufferedBodyBytes: must be a whole number from 65536 to 1099511627776']);
  });

  it('reports every problem at once, not the first one only', () => {
    const problems = problemsOf({ listen: 'x', upstream: 'ftp://a', hooks: [{ name: 'A', path: 'p', provider: 'none' }] });
    assert.ok(problems.length >= 5, JSON.stringify(problems));
  });

  it('never puts a secret value into a problem message', () => {
    const problems = problemsOf({ ...minimal(), hooks: [{ name: 't', path: '/t', provider: 'none', token: secrets.secret('short-secret-value!') }] });
    assert.ok(problems.length > 0);
    assert.ok(!problems.join('\n').includes('short-secret-value'));
  });

  it('refuses overlapping paths when one hook takes a URL token', () => {
    const raw = { ...minimal(), hooks: [{ name: 'a', path: '/h', provider: 'none', token: secrets.secret(TOKEN) }, { name: 'b', path: '/h/x', provider: 'gitlab', secrets: [secrets.secret('s')] }] };
    assert.ok(problemsOf(raw).some((p) => /overlap/.test(p)));
  });
});

describe('scheme settings checked at start', () => {
  const base = { upstream: 'http://127.0.0.1:3000' };
  it('refuses a standard secret that is not whsec_ + base64', () => {
    const problems = problemsOf({ ...base, hooks: [{ name: 's', path: '/s', provider: 'standard', secrets: [secrets.secret('not-a-whsec')] }] });
    assert.ok(problems.some((p) => /^hooks\[0\]\.secrets: secret 1 is not a Standard Webhooks secret/.test(p)), JSON.stringify(problems));
  });
  it('refuses a discord key that is not 64 hex characters', () => {
    const problems = problemsOf({ ...base, hooks: [{ name: 'd', path: '/d', provider: 'discord', secrets: [secrets.secret('abc')] }] });
    assert.ok(problems.some((p) => /^hooks\[0\]\.secrets: secret 1 is not an Ed25519 public key/.test(p)), JSON.stringify(problems));
  });
  it('refuses a twilio publicUrl with a query', () => {
    const problems = problemsOf({ ...base, hooks: [{ name: 't', path: '/t', provider: 'twilio', secrets: [secrets.secret('a')], publicUrl: 'https://x.example/t?a=1' }] });
    assert.ok(problems.some((p) => /^hooks\[0\]\.publicUrl: publicUrl must not contain a query/.test(p)), JSON.stringify(problems));
  });
});

describe('presetRefresh', () => {
  const base = { upstream: 'http://127.0.0.1:3000', hooks: [{ name: 'g', path: '/g', provider: 'gitlab', secrets: [secrets.secret('s')] }] };
  it('resolves each provider to its feed, or to a mirror URL', () => {
    const result = validateSidecarConfig({ ...base, presetRefresh: { providers: ['github', 'stripe'], urls: { stripe: 'https://mirror.example/ips.json' } } }, {});
    assert.ok(result.ok);
    assert.deepEqual(result.config.presetRefresh, {
      intervalMs: 3_600_000,
      targets: [
        { provider: 'github', url: 'https://api.github.com/meta' },
        { provider: 'stripe', url: 'https://mirror.example/ips.json' },
      ],
    });
  });
  it('refuses providers without a feed, unknown names and stray urls', () => {
    const problems = problemsOf({ ...base, presetRefresh: { intervalSeconds: 5, providers: ['gitlab', 'nope'], urls: { other: 'https://x' } } });
    for (const pattern of [/^presetRefresh\.intervalSeconds: must be a whole number from 60/, /^presetRefresh\.providers\[0\]: gitlab publishes its ranges only as prose/, /^presetRefresh\.providers\[1\]: "nope" is not a provider/, /^presetRefresh\.urls\.other: is not listed in providers/]) {
      assert.ok(problems.some((p) => pattern.test(p)), `${pattern} in ${JSON.stringify(problems)}`);
    }
  });
});
