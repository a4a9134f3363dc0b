import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { summarizeAllocationProfile, renderAllocationSummary, type AllocationProfile } from '../../bench/report/allocation-profile.js';

const ROOT = '/repo';
const frame = (functionName: string, url: string, lineNumber = 0) => ({ functionName, url, lineNumber });

/** root → handleRequest (hookguard) → writeHead (node core, allocates 600) ; root → Command (ioredis, 300) → (native, 100) */
const profile: AllocationProfile = {
  head: {
    callFrame: frame('(root)', ''),
    selfSize: 0,
    children: [
      {
        callFrame: frame('handleRequest', `file://${ROOT}/dist/gateway/handle-request.js`, 9),
        selfSize: 200,
        children: [{ callFrame: frame('writeHead', 'node:_http_server', 300), selfSize: 600, children: [] }],
      },
      {
        callFrame: frame('Command', `${ROOT}/node_modules/ioredis/built/Command.js`, 36),
        selfSize: 300,
        children: [{ callFrame: frame('(V8 API)', ''), selfSize: 100, children: [] }],
      },
      { callFrame: frame('parserOnIncoming', 'node:_http_server', 1025), selfSize: 800, children: [] },
    ],
  },
};

describe('summarizeAllocationProfile', () => {
  const summary = summarizeAllocationProfile(profile, ROOT, 2);

  it('gives bytes per request over every sample', () => {
    assert.equal(summary.bytesPerRequest, 1000);
  });

  it('charges node core allocations to the nearest hookguard module or package below them', () => {
    const owners = Object.fromEntries(summary.byOwner.map((o) => [o.name, o.bytesPerRequest]));
    assert.deepEqual(owners, { 'hookguard dist/gateway/handle-request.js': 400, 'ioredis': 200, '(node core alone)': 400 });
  });

  it('ranks allocating functions with their place, largest first', () => {
    assert.deepEqual(summary.byFunction.slice(0, 2).map((f) => [f.name, f.bytesPerRequest]), [
      ['parserOnIncoming node:_http_server:1026', 400],
      ['writeHead node:_http_server:301', 300],
    ]);
    assert.equal(summary.byFunction.reduce((sum, f) => sum + f.percent, 0).toFixed(0), '100');
  });

  it('renders a Markdown summary', () => {
    const text = renderAllocationSummary(summary);
    assert.match(text, /^1\.0 KiB allocated per request/);
    assert.match(text, /\| 400 \| 40\.0% \| hookguard dist\/gateway\/handle-request\.js \|/);
  });
});
