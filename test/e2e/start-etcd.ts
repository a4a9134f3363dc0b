import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { startProcess, type ManagedProcess } from './child-processes.js';
import { freePort } from '../helpers/free-port.js';
import { GiveUp, waitUntil } from './wait-until.js';

export interface RunningEtcd {
  readonly url: string;
  readonly process: ManagedProcess;
}

/** A one-member etcd on 127.0.0.1, plain HTTP (only kube-apiserver on this machine talks to it). */
export async function startEtcd(binary: string, dir: string): Promise<RunningEtcd> {
  const clientPort = await freePort();
  const peerPort = await freePort();
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const dataDir = join(dir, 'etcd-data');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const process = startProcess(
    'etcd',
    binary,
    [
      '--name', 'e2e',
      '--data-dir', dataDir,
      '--listen-client-urls', url,
      '--advertise-client-urls', url,
      '--listen-peer-urls', peer,
      '--initial-advertise-peer-urls', peer,
      '--initial-cluster', `e2e=${peer}`,
      '--logger', 'zap',
      '--log-level', 'warn',
    ],
    { logFile: join(dir, 'etcd.log') },
  );
  await waitUntil(
    'etcd /health',
    async () => {
      if (!process.isRunning()) throw new GiveUp(`etcd exited (${String(await process.exited)})`);
      const response = await fetch(`${url}/health`);
      const body = (await response.json()) as { health?: string };
      return response.ok && body.health === 'true' ? true : undefined;
    },
    { timeoutMs: 30_000, describe: () => process.logTail() },
  );
  return { url, process };
}
