import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { ConfigError } from '../../src/config/problems.js';
import { loadInjectorConfig, validateInjectorConfig } from '../../src/injector/injector-config.js';
import { DEFAULT_INJECTOR_OPTIONS } from '../../src/injector/injector-options.js';

const MINIMAL = { tls: { certFile: '/tls/tls.crt', keyFile: '/tls/tls.key' }, sidecar: { image: 'ghcr.io/example/hookguard:1' } };

function problems(raw: unknown, env: NodeJS.ProcessEnv = {}): string[] {
  const result = validateInjectorConfig(raw, env);
  assert.equal(result.ok, false);
  return result.ok ? [] : result.problems.map((p) => `${p.path}: ${p.message}`);
}

describe('validateInjectorConfig', () => {
  it("fills in the contract's defaults for a minimal config", () => {
    const result = validateInjectorConfig(MINIMAL);
    assert.ok(result.ok);
    assert.deepEqual(result.config, {
      listen: { host: '0.0.0.0', port: 8443 },
      admin: { host: '0.0.0.0', port: 9102 },
      tls: { certFile: '/tls/tls.crt', keyFile: '/tls/tls.key' },
      sidecar: {
        image: 'ghcr.io/example/hookguard:1',
        nativeSidecar: true,
        resources: DEFAULT_INJECTOR_OPTIONS.sidecar.resources,
        maxResources: { cpu: '1', memory: '1Gi' },
      },
    });
  });

  it("reads the contract's example", () => {
    const result = validateInjectorConfig({
      listen: '0.0.0.0:8443',
      admin: '0.0.0.0:9102',
      tls: { certFile: '/tls/tls.crt', keyFile: '/tls/tls.key' },
      sidecar: {
        image: 'ghcr.io/OWNER/hookguard:VERSION',
        nativeSidecar: false,
        resources: { requests: { cpu: '20m', memory: '48Mi' }, limits: { memory: '128Mi' } },
        maxResources: { cpu: 2, memory: '2Gi' },
        redis: { url: 'redis://hookguard-redis.hookguard:6379', passwordSecretKey: 'redis-password' },
      },
      namespace: 'hookguard',
    });
    assert.ok(result.ok);
    assert.equal(result.config.sidecar.nativeSidecar, false);
    assert.deepEqual(result.config.sidecar.maxResources, { cpu: '2', memory: '2Gi' });
    assert.deepEqual(result.config.sidecar.redis, { url: 'redis://hookguard-redis.hookguard:6379', passwordSecretKey: 'redis-password' });
    assert.equal(result.config.ownNamespace, 'hookguard');
  });

  it('takes its own namespace from POD_NAMESPACE first', () => {
    const result = validateInjectorConfig({ ...MINIMAL, namespace: 'configured' }, { POD_NAMESPACE: 'hookguard-system' });
    assert.ok(result.ok);
    assert.equal(result.config.ownNamespace, 'hookguard-system');
  });

  it('freezes the result, all the way down', () => {
    const result = validateInjectorConfig(MINIMAL);
    assert.ok(result.ok);
    assert.ok(Object.isFrozen(result.config.sidecar.resources.requests));
    assert.throws(() => {
      (result.config.tls as { certFile: string }).certFile = 'x';
    }, TypeError);
  });

  it('reports every problem with its key path', () => {
    assert.deepEqual(
      problems({
        listen: 'nope',
        tls: { certFile: '/c' },
        sidecar: {
          image: 'has space',
          nativeSidecar: 'yes',
          resources: { requests: { cpu: '2', memory: '64MB' }, limits: { memory: '2Gi' } },
          redis: { url: 'redis://:hunter2@redis:6379', passwordSecretName: 'Bad_Name' },
          surplus: 1,
        },
        extra: true,
      }),
      [
        'extra: unknown key (allowed here: listen, admin, tls, sidecar, namespace)',
        'listen: expected HOST:PORT, for example 127.0.0.1:8080',
        'tls.keyFile: is required',
        'sidecar.surplus: unknown key (allowed here: image, nativeSidecar, resources, maxResources, redis)',
        'sidecar.image: must be an image reference without spaces',
        'sidecar.nativeSidecar: must be true or false',
        'sidecar.resources.requests.memory: must be a memory quantity such as 64Mi or 1Gi',
        'sidecar.resources.requests.cpu: 2 is above sidecar.maxResources.cpu 1',
        'sidecar.resources.limits.memory: 2Gi is above sidecar.maxResources.memory 1Gi',
        'sidecar.redis.url: must not contain a password: use passwordSecretKey (and passwordSecretName)',
        'sidecar.redis.passwordSecretName: must be a Secret name (lower-case letters, digits, "-" and ".")',
        'sidecar.redis.passwordSecretKey: is required when passwordSecretName is set',
      ],
    );
  });

  it('requires tls and sidecar.image', () => {
    assert.deepEqual(problems({}), ['tls: is required: {certFile, keyFile}', 'sidecar: is required: at least {image}']);
    assert.deepEqual(problems({ ...MINIMAL, sidecar: {} }), ['sidecar.image: is required']);
  });

  it('refuses a request above its limit and defaults above a lowered maximum', () => {
    assert.deepEqual(problems({ ...MINIMAL, sidecar: { image: 'i', resources: { requests: { memory: '256Mi' }, limits: { memory: '128Mi' } } } }), [
      'sidecar.resources.requests.memory: 256Mi is above the limit 128Mi',
    ]);
    assert.deepEqual(problems({ ...MINIMAL, sidecar: { image: 'i', maxResources: { memory: '64Mi' } } }), [
      'sidecar.resources.limits.memory: 256Mi is above sidecar.maxResources.memory 64Mi',
    ]);
  });

  it('refuses a config that is not a mapping', () => {
    assert.deepEqual(problems('listen: x'), ['(top level): the config must be a mapping']);
  });
});

describe('loadInjectorConfig', () => {
  const dir = mkdtempSync(join(tmpdir(), 'hookguard-injector-config-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('reads YAML', () => {
    const file = join(dir, 'injector.yaml');
    writeFileSync(file, 'tls: {certFile: /tls/tls.crt, keyFile: /tls/tls.key}\nsidecar:\n  image: ghcr.io/example/hookguard:1\n  nativeSidecar: false\n');
    const config = loadInjectorConfig(file, {});
    assert.equal(config.sidecar.nativeSidecar, false);
  });

  it('throws a ConfigError naming the file and every problem', () => {
    const file = join(dir, 'bad.json');
    writeFileSync(file, JSON.stringify({ listen: 'x', tls: {} }));
    assert.throws(() => loadInjectorConfig(file, {}), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.match(error.message, /bad\.json/);
      assert.deepEqual(error.problems.map((p) => p.path), ['listen', 'tls.certFile', 'tls.keyFile', 'sidecar']);
      return true;
    });
  });
});
