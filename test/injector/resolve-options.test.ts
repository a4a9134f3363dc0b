import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAnnotations } from '../../src/injector/parse-annotations.js';
import type { Pod } from '../../src/injector/pod-types.js';
import { resolveOptions } from '../../src/injector/resolve-options.js';
import { annotatedPod, TEST_OPTIONS } from './fixtures.js';

function resolve(pod: Record<string, unknown>, sidecar = TEST_OPTIONS.sidecar) {
  const typed = pod as Pod;
  return resolveOptions(typed, parseAnnotations(typed.metadata?.annotations).annotations, sidecar);
}

function problemsOf(pod: Record<string, unknown>, sidecar = TEST_OPTIONS.sidecar) {
  const result = resolve(pod, sidecar);
  assert.equal(result.ok, false);
  return result.ok ? [] : result.problems;
}

describe('resolveOptions', () => {
  it("applies the injector's defaults to a pod that only asks for injection", () => {
    const result = resolve(annotatedPod());
    assert.ok(result.ok);
    assert.deepEqual(result.options, {
      image: 'ghcr.io/example/hookguard:1.2.3',
      native: true,
      port: 8080,
      upstreamPort: 3000,
      configMap: 'web-hooks',
      resources: { requests: { cpu: '20m', memory: '48Mi' }, limits: { memory: '256Mi' } },
      redis: { url: 'redis://hookguard-redis.hookguard:6379', password: { secretName: 'hookguard-redis', key: 'redis-password' } },
    });
  });

  it('lets annotations override the port, upstream port, sidecar kind and resources within bounds', () => {
    const result = resolve(
      annotatedPod({
        'hookguard.io/port': '9000',
        'hookguard.io/upstream-port': '4000',
        'hookguard.io/native-sidecar': 'false',
        'hookguard.io/cpu-request': '1',
        'hookguard.io/memory-request': '1Gi',
        'hookguard.io/memory-limit': '1Gi',
      }),
    );
    assert.ok(result.ok);
    assert.equal(result.options.port, 9000);
    assert.equal(result.options.upstreamPort, 4000);
    assert.equal(result.options.native, false);
    assert.deepEqual(result.options.resources, { requests: { cpu: '1', memory: '1Gi' }, limits: { memory: '1Gi' } });
  });

  it('requires hookguard.io/config', () => {
    const pod = annotatedPod();
    delete (pod.metadata as { annotations: Record<string, string> }).annotations['hookguard.io/config'];
    const [problem] = problemsOf(pod);
    assert.equal(problem!.key, 'hookguard.io/config');
    assert.match(problem!.message, /is required when injecting; accepted values: the name of a ConfigMap .* hookguard\.yaml/);
  });

  it('requires hookguard.io/upstream-port when the first container declares no port', () => {
    const [problem] = problemsOf(annotatedPod({}, { ports: [] }));
    assert.equal(problem!.key, 'hookguard.io/upstream-port');
  });

  const conflicts: [string, Record<string, string>, Record<string, unknown>, string, RegExp][] = [
    ['the default port is the app port', {}, { ports: [{ containerPort: 8080 }] }, 'hookguard.io/port', /8080 \(the default\) is also the app's port/],
    ['the port is the admin port', { 'hookguard.io/port': '9102' }, {}, 'hookguard.io/port', /admin port/],
    ['the upstream port is the admin port', { 'hookguard.io/upstream-port': '9102' }, {}, 'hookguard.io/upstream-port', /admin port/],
    ['another container port takes the sidecar port', { 'hookguard.io/upstream-port': '3000' }, { ports: [{ containerPort: 3000 }, { containerPort: 8080, name: 'other' }] }, 'hookguard.io/port', /already declared by spec\.containers\[0\]\.ports\[1\]/],
    ['the app declares the admin port', {}, { ports: [{ containerPort: 3000 }, { containerPort: 9102 }] }, 'spec.containers[0].ports[1]', /container "web" declares port 9102/],
  ];
  for (const [what, annotations, container, key, message] of conflicts) {
    it(`denies when ${what}`, () => {
      const problems = problemsOf(annotatedPod(annotations, container));
      assert.equal(problems[0]!.key, key);
      assert.match(problems[0]!.message, message);
    });
  }

  const bounds: [Record<string, string>, string, RegExp][] = [
    [{ 'hookguard.io/cpu-request': '1500m' }, 'hookguard.io/cpu-request', /1500m is above the injector's maximum; accepted values: a quantity up to 1$/],
    [{ 'hookguard.io/memory-request': '2Gi', 'hookguard.io/memory-limit': '512Mi' }, 'hookguard.io/memory-request', /2Gi is above the injector's maximum/],
    [{ 'hookguard.io/memory-limit': '32Mi' }, 'hookguard.io/memory-limit', /the memory request 48Mi is above the memory limit 32Mi/],
    [{ 'hookguard.io/memory-request': '384Mi' }, 'hookguard.io/memory-request', /the memory request 384Mi is above the memory limit 256Mi/],
  ];
  for (const [annotations, key, message] of bounds) {
    it(`keeps ${key} within bounds: ${JSON.stringify(annotations)}`, () => {
      const problems = problemsOf(annotatedPod(annotations));
      assert.equal(problems[0]!.key, key);
      assert.match(problems[0]!.message, message);
    });
  }

  it('takes the Redis password key from the pod Secret when no passwordSecretName is set', () => {
    const sidecar = { ...TEST_OPTIONS.sidecar, redis: { url: 'redis://r:6379', passwordSecretKey: 'pw' } };
    const result = resolve(annotatedPod({ 'hookguard.io/secret': 'web-secrets' }), sidecar);
    assert.ok(result.ok);
    assert.deepEqual(result.options.redis, { url: 'redis://r:6379', password: { secretName: 'web-secrets', key: 'pw' } });
    const [problem] = problemsOf(annotatedPod(), sidecar);
    assert.equal(problem!.key, 'hookguard.io/secret');
    assert.match(problem!.message, /Redis password from key "pw"/);
  });

  it('leaves Redis out when the injector has none, and the password out when it has no key', () => {
    const none = resolve(annotatedPod(), { ...TEST_OPTIONS.sidecar, redis: undefined });
    assert.ok(none.ok);
    assert.equal(none.options.redis, undefined);
    const noKey = resolve(annotatedPod(), { ...TEST_OPTIONS.sidecar, redis: { url: 'redis://r:6379' } });
    assert.ok(noKey.ok);
    assert.deepEqual(noKey.options.redis, { url: 'redis://r:6379' });
  });
});
