import { createServer, type Server, type ServerResponse } from 'node:http';
import type { HostPort } from '../net/parse-host-port.js';
import { listen } from '../net/listen.js';
import type { Logger } from '../observability/logger.js';
import type { InjectorMetrics } from './injector-metrics.js';

export interface InjectorAdminDeps {
  readonly metrics: InjectorMetrics;
  readonly logger: Logger;
  /** False before the HTTPS server listens and from the moment shutdown begins. */
  readonly isReady: () => boolean;
}

export interface InjectorAdminServer {
  readonly server: Server;
  listen(at: HostPort): Promise<HostPort>;
  close(): Promise<void>;
}

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', ...headers });
  res.end(body);
}

/** Plain HTTP on its own port: /metrics, /healthz, /readyz, never exposed through a Service. */
export function createInjectorAdminServer(deps: InjectorAdminDeps): InjectorAdminServer {
  const server = createServer((req, res) => {
    const path = (req.url ?? '').split('?')[0];
    if (path !== '/metrics' && path !== '/healthz' && path !== '/readyz') return send(res, 404, 'not found\n');
    if (req.method !== 'GET' && req.method !== 'HEAD') return send(res, 405, 'method not allowed\n', { allow: 'GET, HEAD' });
    if (path === '/healthz') return send(res, 200, 'ok\n');
    if (path === '/readyz') return deps.isReady() ? send(res, 200, 'ready\n') : send(res, 503, 'not ready\n');
    deps.metrics.registry.metrics().then(
      (text) => send(res, 200, text, { 'content-type': deps.metrics.registry.contentType }),
      (error: unknown) => {
        deps.logger.error({ err: error }, 'collecting metrics failed');
        send(res, 500, 'internal error\n');
      },
    );
  });
  server.requestTimeout = 10_000;
  server.headersTimeout = 5_000;

  return {
    server,
    listen: (at) => listen(server, at),
    close() {
      return new Promise((resolve) => {
        if (!server.listening) return resolve();
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
