/** The parts of a V8 .cpuprofile (node --cpu-prof) this summary reads. */
export interface CpuProfile {
  nodes: Array<{
    id: number;
    callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
    children?: number[];
  }>;
  samples: number[];
  startTime: number;
  endTime: number;
}

export interface FrameShare {
  readonly frame: string;
  readonly where: string;
  readonly ms: number;
  /** Share of the busy samples (idle left out). */
  readonly percent: number;
}

export interface ProfileSummary {
  readonly busyMs: number;
  readonly idleMs: number;
  readonly samples: number;
  readonly self: FrameShare[];
  readonly total: FrameShare[];
  readonly byPackage: FrameShare[];
  /** Busy time by the nearest hookguard module or dependency on the stack (node core work charged to its caller). */
  readonly byOwner: OwnerShare[];
}

export interface OwnerShare {
  readonly owner: string;
  readonly percent: number;
  /** Share when samples whose top frame is a socket-write syscall are left out (those carry off-CPU time). */
  readonly percentWithoutWrites: number;
}

/** Native frames of socket writes: where a thread that wakes another process is most often descheduled. */
const WRITE_FRAMES = new Set(['writev', 'writeUtf8String', 'writeBuffer', 'writeLatin1String', 'writeAsciiString']);

const IDLE = '(idle)';

/**
 * Self time (samples whose top frame is the function) and total time (samples with the function
 * anywhere on the stack, counted once per sample), aggregated by function and location, plus self
 * time by package: where the sidecar's CPU goes.
 */
export function summarizeCpuProfile(profile: CpuProfile, root: string, top = 30): ProfileSummary {
  const byId = new Map(profile.nodes.map((node) => [node.id, node]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);
  const msPerSample = profile.samples.length > 0 ? (profile.endTime - profile.startTime) / 1000 / profile.samples.length : 0;

  const keyOf = (id: number): { key: string; frame: string; where: string; pkg: string } => {
    const frame = byId.get(id)!.callFrame;
    const name = frame.functionName || '(anonymous)';
    const url = frame.url.replace(`file://${root}/`, '').replace(root + '/', '');
    const where = url ? `${url}:${frame.lineNumber + 1}` : '';
    return { key: `${name}\u0000${where}`, frame: name, where, pkg: packageOf(name, url) };
  };
  const keys = new Map<number, ReturnType<typeof keyOf>>();
  const key = (id: number) => {
    let found = keys.get(id);
    if (!found) keys.set(id, (found = keyOf(id)));
    return found;
  };

  const owners = new Map<number, string>();
  const ownerOf = (sample: number): string => {
    let found = owners.get(sample);
    if (found !== undefined) return found;
    found = '(node core alone: HTTP parsing, timers, streams)';
    for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
      const k = key(id);
      if (k.frame === '(garbage collector)' || k.frame === '(program)') {
        found = k.frame;
        break;
      }
      if (k.pkg.startsWith('hookguard ') || (!k.pkg.startsWith('(') && k.pkg !== 'node: core' && !k.pkg.startsWith('wasm'))) {
        found = k.pkg.startsWith('hookguard ') ? `hookguard ${k.where.replace(/:\d+$/, '')}` : k.pkg;
        break;
      }
      if (k.pkg.startsWith('wasm')) {
        found = 'undici (llhttp wasm)';
        break;
      }
    }
    owners.set(sample, found);
    return found;
  };
  const byOwnerAll = new Map<string, number>();
  const byOwnerOn = new Map<string, number>();
  let busyOn = 0;

  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const pkgs = new Map<string, number>();
  let idle = 0;
  for (const sample of profile.samples) {
    const top_ = key(sample);
    if (top_.frame === IDLE) {
      idle++;
      continue;
    }
    self.set(top_.key, (self.get(top_.key) ?? 0) + 1);
    const owner = ownerOf(sample);
    byOwnerAll.set(owner, (byOwnerAll.get(owner) ?? 0) + 1);
    if (!WRITE_FRAMES.has(top_.frame)) {
      busyOn++;
      byOwnerOn.set(owner, (byOwnerOn.get(owner) ?? 0) + 1);
    }
    pkgs.set(top_.pkg, (pkgs.get(top_.pkg) ?? 0) + 1);
    const seen = new Set<string>();
    for (let id: number | undefined = sample; id !== undefined; id = parent.get(id)) {
      const k = key(id);
      if (k.frame === '(root)' || seen.has(k.key)) continue;
      seen.add(k.key);
      total.set(k.key, (total.get(k.key) ?? 0) + 1);
    }
  }
  const busy = profile.samples.length - idle;
  const rank = (counts: Map<string, number>, limit: number, split = true): FrameShare[] =>
    [...counts.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([k, count]) => {
        const [frame, where] = split ? k.split('\u0000') : [k, ''];
        return { frame: frame!, where: where ?? '', ms: count * msPerSample, percent: busy > 0 ? (100 * count) / busy : 0 };
      });
  return {
    busyMs: busy * msPerSample,
    idleMs: idle * msPerSample,
    samples: profile.samples.length,
    self: rank(self, top),
    total: rank(total, top),
    byPackage: rank(pkgs, 20, false),
    byOwner: [...byOwnerAll.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 25)
      .map(([owner, count]) => ({ owner, percent: busy > 0 ? (100 * count) / busy : 0, percentWithoutWrites: busyOn > 0 ? (100 * (byOwnerOn.get(owner) ?? 0)) / busyOn : 0 })),
  };
}

export function packageOf(name: string, url: string): string {
  if (name.startsWith('(')) return name;
  if (url === '') return '(native / V8 builtins)';
  if (url.startsWith('node:')) return 'node: core';
  const modules = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (modules) return modules[1]!;
  const dist = /^dist\/([^/]+)/.exec(url);
  if (dist) return `hookguard ${dist[1]!.endsWith('.js') ? dist[1] : `${dist[1]}/`}`;
  return url;
}

export function renderProfileSummary(summary: ProfileSummary): string {
  const row = (s: FrameShare) => `| ${s.percent.toFixed(1)}% | ${s.ms.toFixed(0)} | \`${s.frame}\` | ${s.where} |`;
  return [
    `Samples: ${summary.samples}; busy ${summary.busyMs.toFixed(0)} ms, idle ${summary.idleMs.toFixed(0)} ms. Shares are of busy time.`,
    '',
    '### Busy time by owner (nearest hookguard module or dependency on the stack; node core work charged to its caller)',
    '',
    '| share | share without socket-write samples | owner |',
    '| ---: | ---: | --- |',
    ...summary.byOwner.map((o) => `| ${o.percent.toFixed(1)}% | ${o.percentWithoutWrites.toFixed(1)}% | ${o.owner} |`),
    '',
    '### Self time by package',
    '',
    '| share | ms | package | |',
    '| ---: | ---: | --- | --- |',
    ...summary.byPackage.map(row),
    '',
    '### Top frames by self time',
    '',
    '| share | ms | function | where |',
    '| ---: | ---: | --- | --- |',
    ...summary.self.map(row),
    '',
    '### Top frames by total time (on the stack)',
    '',
    '| share | ms | function | where |',
    '| ---: | ---: | --- | --- |',
    ...summary.total.map(row),
    '',
  ].join('\n');
}
