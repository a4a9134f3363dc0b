import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parseObjects, RELEASE, REPO, template } from '../helm/helm.js';
import { strictFieldProblems, validateRuntime } from '../helm/validate-objects.js';

const INSTALL = join(REPO, 'deploy/install/hookguard.yaml');
const UPDATE = process.env.UPDATE_INSTALL === '1';

/**
 * deploy/install/hookguard.yaml is `helm template` of the chart with its default values (release
 * and namespace "hookguard"), after a Namespace. `UPDATE_INSTALL=1` rewrites it.
 */
function expected(): string {
  const result = template({}, { release: RELEASE.name, namespace: RELEASE.namespace });
  assert.equal(result.status, 0, result.stderr);
  const header = [
    '# hookguard, installed without Helm: kubectl apply --server-side -f deploy/install/hookguard.yaml',
    '#',
    '# Generated, do not edit: `helm template hookguard helm/hookguard --namespace hookguard` with the',
    "# chart's default values (docs/helm.md), after the Namespace. Regenerate with",
    '#   UPDATE_INSTALL=1 node --import tsx --test test/deploy/install-manifest.test.ts',
    '# The two certgen Jobs make the TLS Secret and the Redis password on the first apply and write the',
    '# caBundle; they delete themselves 10 minutes after they succeed, so a later apply runs them again',
    '# (they keep what exists). Needs Kubernetes 1.29+ (native sidecars).',
    '---',
    'apiVersion: v1',
    'kind: Namespace',
    'metadata:',
    `  name: ${RELEASE.namespace}`,
    '  labels:',
    '    # Every pod of the install passes the restricted Pod Security Standard.',
    '    pod-security.kubernetes.io/enforce: restricted',
  ].join('\n');
  return `${header}\n${result.stdout}`;
}

describe('deploy/install/hookguard.yaml', () => {
  it('is what helm template renders with the documented values', () => {
    const want = expected();
    if (UPDATE) writeFileSync(INSTALL, want);
    assert.equal(readFileSync(INSTALL, 'utf8'), want, 'out of date: regenerate with UPDATE_INSTALL=1 node --import tsx --test test/deploy/install-manifest.test.ts');
  });

  it('holds valid objects only, and no key or certificate (the Jobs make those in the cluster)', () => {
    const text = readFileSync(INSTALL, 'utf8');
    const objects = parseObjects(text);
    for (const obj of objects) validateRuntime(obj);
    assert.deepEqual(strictFieldProblems(objects.map((obj) => ({ label: `install: ${obj.kind}/${obj.metadata.name}`, obj }))), []);
    assert.ok(!objects.some((o) => o.kind === 'Secret'));
    assert.ok(!objects.some((o) => o.webhooks?.some((w: any) => w.clientConfig.caBundle !== undefined)), 'no caBundle: the Job writes it');
    // The certgen script itself mentions PEM markers; no other object may hold one.
    const others = objects.filter((o) => !o.data?.['certgen.mjs']);
    assert.doesNotMatch(JSON.stringify(others), /BEGIN (CERTIFICATE|PRIVATE KEY|EC PRIVATE KEY)/);
    assert.equal(objects[0]!.kind, 'Namespace', 'the Namespace comes first');
  });
});
