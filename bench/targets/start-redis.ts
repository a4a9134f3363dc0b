import { execFileSync } from 'node:child_process';
import { Redis } from 'ioredis';
import { freePort } from '../../test/helpers/free-port.js';
import { startProcess, waitForPort, type ManagedProcess } from './managed-process.js';

export interface RedisServer {
  readonly port: number;
  readonly url: string;
  readonly process: ManagedProcess;
  /** The bench's own connection: stats, flush, seeding. Never used while a load runs. */
  readonly client: Redis;
  stop(): Promise<void>;
}

export function redisAvailable(): boolean {
  try {
    execFileSync('redis-server', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A throwaway redis-server on a free port: no persistence, one for the whole run. */
export async function startRedis(): Promise<RedisServer> {
  const port = await freePort();
  const server = startProcess('redis-server', 'redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no']);
  await waitForPort(server, port);
  const client = new Redis({ host: '127.0.0.1', port, lazyConnect: true, maxRetriesPerRequest: 1 });
  await client.connect();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    process: server,
    client,
    async stop() {
      client.disconnect();
      await server.stop();
    },
  };
}
