import { packageOf } from './cpu-profile.js';

/** The parts of a V8 sampling heap profile (HeapProfiler.stopSampling) this summary reads. */
export interface AllocationProfile {
  head: AllocationNode;
}

interface AllocationNode {
  callFrame: { functionName: string; url: string; lineNumber: number };
  selfSize: number;
  children: AllocationNode[];
}

export interface AllocationShare {
  readonly name: string;
  readonly bytesPerRequest: number;
  readonly percent: number;
}

export interface AllocationSummary {
  readonly bytesPerRequest: number;
  /** By the nearest hookguard module or dependency on the stack (node core allocations charged to their caller). */
  readonly byOwner: AllocationShare[];
  /** By the function that allocated. */
  readonly byFunction: AllocationShare[];
}

/**
 * Bytes allocated per request, from a sampling heap profile that kept the samples of collected
 * objects: what the young generation has to absorb, and so how often the sidecar scavenges.
 */
export function summarizeAllocationProfile(profile: AllocationProfile, root: string, requests: number, top = 30): AllocationSummary {
  const owners = new Map<string, number>();
  const functions = new Map<string, number>();
  let total = 0;
  const walk = (node: AllocationNode, owner: string | undefined): void => {
    const url = node.callFrame.url.replace(`file://${root}/`, '').replace(`${root}/`, '');
    const name = node.callFrame.functionName || '(anonymous)';
    const pkg = packageOf(name, url);
    const own = pkg.startsWith('hookguard ') ? `hookguard ${url}` : !pkg.startsWith('(') && pkg !== 'node: core' ? pkg : owner;
    if (node.selfSize > 0) {
      total += node.selfSize;
      const ownerName = own ?? '(node core alone)';
      owners.set(ownerName, (owners.get(ownerName) ?? 0) + node.selfSize);
      const where = url ? `${name} ${url}:${node.callFrame.lineNumber + 1}` : name;
      functions.set(where, (functions.get(where) ?? 0) + node.selfSize);
    }
    for (const child of node.children) walk(child, own);
  };
  walk(profile.head, undefined);
  const per = Math.max(1, requests);
  const rank = (counts: Map<string, number>): AllocationShare[] =>
    [...counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([name, bytes]) => ({ name, bytesPerRequest: bytes / per, percent: total > 0 ? (100 * bytes) / total : 0 }));
  return { bytesPerRequest: total / per, byOwner: rank(owners), byFunction: rank(functions) };
}

export function renderAllocationSummary(summary: AllocationSummary): string {
  const row = (s: AllocationShare) => `| ${s.bytesPerRequest.toFixed(0)} | ${s.percent.toFixed(1)}% | ${s.name} |`;
  return [
    `${(summary.bytesPerRequest / 1024).toFixed(1)} KiB allocated per request (V8 heap; Buffers' contents are outside it).`,
    '',
    '### By owner (nearest hookguard module or dependency on the stack; node core allocations charged to their caller)',
    '',
    '| bytes/request | share | owner |',
    '| ---: | ---: | --- |',
    ...summary.byOwner.map(row),
    '',
    '### By allocating function',
    '',
    '| bytes/request | share | function |',
    '| ---: | ---: | --- |',
    ...summary.byFunction.map(row),
    '',
  ].join('\n');
}
