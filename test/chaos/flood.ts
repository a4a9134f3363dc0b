import http from 'node:http';
import { KEEP_ALIVE } from './simulator.js';

export interface FloodRequest {
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

export interface FloodOptions {
  /** Sidecar base URLs; each address sticks to one (as a connection to a Service would). */
  readonly urls: readonly string[];
  /** Source addresses in 127.0.0.0/8: every one a different client to the sidecar. */
  readonly addresses: readonly string[];
  readonly perAddressPerSecond: number;
  readonly durationMs: number;
  /** The n-th request of the flood. */
  make(n: number): Promise<FloodRequest>;
}

export interface FloodResult {
  readonly sent: number;
  /** Answers by status, or client error code. */
  readonly answers: Record<string, number>;
}

/**
 * An attacker's flood: requests from many source addresses (the client bound to each with
 * `localAddress`), at a steady rate per address, over kept-alive connections.
 */
export async function flood(options: FloodOptions): Promise<FloodResult> {
  const agent = new http.Agent({ ...KEEP_ALIVE, maxSockets: 4 });
  const answers: Record<string, number> = {};
  const pending = new Set<Promise<void>>();
  const rate = options.addresses.length * options.perAddressPerSecond;
  const started = Date.now();
  let sent = 0;
  const count = (key: string) => (answers[key] = (answers[key] ?? 0) + 1);
  const one = async (n: number) => {
    const request = await options.make(n);
    const index = n % options.addresses.length;
    const localAddress = options.addresses[index]!;
    const url = options.urls[index % options.urls.length]!;
    await new Promise<void>((resolve) => {
      const req = http.request(`${url}${request.path}`, { method: 'POST', agent, localAddress, headers: { ...request.headers, 'content-length': String(request.body.length) } }, (res) => {
        count(String(res.statusCode));
        res.resume();
        res.on('end', resolve);
        res.on('error', () => resolve());
      });
      req.setTimeout(10_000, () => req.destroy(Object.assign(new Error('deadline'), { code: 'TIMEOUT' })));
      req.on('error', (error: NodeJS.ErrnoException) => {
        count(error.code ?? 'ERROR');
        resolve();
      });
      req.end(request.body);
    });
  };
  while (Date.now() - started < options.durationMs) {
    const due = Math.floor(((Date.now() - started) * rate) / 1000);
    while (sent < due) {
      const done = one(sent++);
      pending.add(done);
      void done.then(() => pending.delete(done));
    }
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
  await Promise.all(pending);
  agent.destroy();
  return { sent, answers };
}

/** `count` addresses 127.0.<subnet>.1, .2, ...: loopback is all of 127.0.0.0/8 on Linux. */
export function loopbackAddresses(subnet: number, count: number): string[] {
  return Array.from({ length: count }, (_, i) => `127.0.${subnet}.${i + 1}`);
}
