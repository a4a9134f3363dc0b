import { createServer } from 'node:net';

/** Ports handed out by this process, so that two servers starting together never get the same. */
const handedOut = new Set<number>();

/**
 * A port free on 127.0.0.1 right now (the kernel picks it), never the same twice in one process.
 * The one helper for the tests and the bench (bench/ imports it from here).
 */
export async function freePort(): Promise<number> {
  for (;;) {
    const port = await new Promise<number>((resolve, reject) => {
      const server = createServer();
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        const address = server.address();
        server.close(() => resolve(typeof address === 'object' && address ? address.port : 0));
      });
    });
    if (port !== 0 && !handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}
