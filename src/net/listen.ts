import type { Server } from 'node:net';
import type { HostPort } from './parse-host-port.js';

/** Listens and resolves with the bound address (port 0 picks a free port). */
export function listen(server: Server, at: HostPort): Promise<HostPort> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(at.port, at.host, () => {
      server.removeListener('error', onError);
      const address = server.address();
      if (address && typeof address === 'object') resolve({ host: address.address, port: address.port });
      else resolve(at);
    });
  });
}

export function closeServer(server: Server): Promise<void> {
  return new Promise((resolve) => server.close(() => resolve()));
}
