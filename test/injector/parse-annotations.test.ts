import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseAnnotations } from '../../src/injector/parse-annotations.js';

describe('parseAnnotations', () => {
  it('reads every annotation into a typed value', () => {
    const { annotations, problems } = parseAnnotations({
      'hookguard.io/inject': 'true',
      'hookguard.io/upstream-port': '3000',
      'hookguard.io/port': '8443',
      'hookguard.io/config': 'web-hooks',
      'hookguard.io/secret': 'web.hook-secrets',
      'hookguard.io/native-sidecar': 'false',
      'hookguard.io/cpu-request': '0.1',
      'hookguard.io/memory-request': '64Mi',
      'hookguard.io/memory-limit': '1G',
      'app.kubernetes.io/name': 'web',
    });
    assert.deepEqual(problems, []);
    assert.equal(annotations.inject, 'requested');
    assert.equal(annotations.upstreamPort, 3000);
    assert.equal(annotations.port, 8443);
    assert.equal(annotations.config, 'web-hooks');
    assert.equal(annotations.secret, 'web.hook-secrets');
    assert.equal(annotations.nativeSidecar, false);
    assert.equal(annotations.cpuRequest, '0.1');
    assert.equal(annotations.memoryRequest, '64Mi');
    assert.equal(annotations.memoryLimit, '1G');
    assert.deepEqual(annotations.unknown, []);
  });

  it('tells absent, opted out and requested apart', () => {
    assert.equal(parseAnnotations(undefined).annotations.inject, 'absent');
    assert.equal(parseAnnotations(null).annotations.inject, 'absent');
    assert.equal(parseAnnotations({ 'hookguard.io/inject': 'false' }).annotations.inject, 'opted_out');
    assert.equal(parseAnnotations({ 'hookguard.io/inject': 'true' }).annotations.inject, 'requested');
  });

  it('counts a malformed inject value as a request, with a problem naming the accepted values', () => {
    const { annotations, problems } = parseAnnotations({ 'hookguard.io/inject': 'yes' });
    assert.equal(annotations.inject, 'requested');
    assert.deepEqual(problems, [{ key: 'hookguard.io/inject', message: '"yes" is not accepted; accepted values: "true", "false"' }]);
  });

  const bad: [string, string, RegExp][] = [
    ['hookguard.io/upstream-port', 'http', /a port number from 1 to 65535/],
    ['hookguard.io/upstream-port', '0', /a port number/],
    ['hookguard.io/port', '65536', /a port number/],
    ['hookguard.io/port', ' 8080', /a port number/],
    ['hookguard.io/port', '080800', /a port number/],
    ['hookguard.io/native-sidecar', 'True', /"true", "false"/],
    ['hookguard.io/config', 'Web_Hooks', /ConfigMap or Secret/],
    ['hookguard.io/secret', '-secrets', /ConfigMap or Secret/],
    ['hookguard.io/cpu-request', '100Mi', /CPU quantity such as 50m/],
    ['hookguard.io/cpu-request', '0', /CPU quantity/],
    ['hookguard.io/memory-request', '64MB', /memory quantity such as 64Mi/],
    ['hookguard.io/memory-limit', '-1Gi', /memory quantity/],
    ['hookguard.io/memory-limit', 'constructor', /memory quantity/],
  ];
  for (const [key, value, accepted] of bad) {
    it(`reports ${key}: ${JSON.stringify(value)} with the accepted values`, () => {
      const { problems } = parseAnnotations({ 'hookguard.io/inject': 'true', [key]: value });
      assert.equal(problems.length, 1);
      assert.equal(problems[0]!.key, key);
      assert.ok(problems[0]!.message.startsWith(`${JSON.stringify(value)} is not accepted`), problems[0]!.message);
      assert.match(problems[0]!.message, accepted);
    });
  }

  it('reports every bad value at once', () => {
    const { problems } = parseAnnotations({ 'hookguard.io/inject': 'true', 'hookguard.io/port': 'x', 'hookguard.io/native-sidecar': 'x' });
    assert.deepEqual(problems.map((p) => p.key), ['hookguard.io/port', 'hookguard.io/native-sidecar']);
  });

  it('cuts a huge value short in the message', () => {
    const { problems } = parseAnnotations({ 'hookguard.io/port': 'x'.repeat(10_000) });
    assert.ok(problems[0]!.message.length < 200);
  });

  it('lists hookguard.io keys it does not know, and all of ours besides inject', () => {
    const { annotations } = parseAnnotations({ 'hookguard.io/upstream_port': '3000', 'hookguard.io/config': 'c', 'example.com/x': 'y' });
    assert.deepEqual(annotations.unknown, ['hookguard.io/upstream_port']);
    assert.deepEqual(annotations.ours, ['hookguard.io/upstream_port', 'hookguard.io/config']);
  });

  it('does not read inherited properties as annotations', () => {
    const { annotations, problems } = parseAnnotations(Object.create({ 'hookguard.io/inject': 'true' }) as Record<string, string>);
    assert.equal(annotations.inject, 'absent');
    assert.deepEqual(problems, []);
  });
});
