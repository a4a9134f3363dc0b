import http from 'node:http';
import type { Duplex } from 'node:stream';
import type { Timeouts } from '../config/types.js';
import type { GatewayDeps } from './gateway-deps.js';
import type { Reason } from '../observability/metric-names.js';
import { UNMATCHED_HOOK } from '../observability/metric-names.js';
import { countRejection } from '../observability/gateway-metrics.js';
import { ANSWERS } from './answers.js';

export interface GatewayServerOptions {
  readonly timeouts: Timeouts;
  readonly maxHeaderBytes: number;
}

/**
 * The HTTP server in front of the Koa pipeline, hardened against slow and malformed clients:
 * a client has `headersMs` to send its head and `requestMs` for the whole request (slowloris),
 * heads over `maxHeaderBytes` are refused, and idle keep-alive connections are closed after
 * `keepAliveMs`. Errors at the HTTP layer get an answer, a metric and a log line like any rejection.
 */
export function createGatewayServer(handler: http.RequestListener, deps: GatewayDeps, options: GatewayServerOptions): http.Server {
  const server = http.createServer(
    {
      headersTimeout: options.timeouts.headersMs,
      requestTimeout: options.timeouts.requestMs,
      keepAliveTimeout: options.timeouts.keepAliveMs,
      maxHeaderSize: options.maxHeaderBytes,
      // How often Node checks the two timeouts above; its default (30 s) would let a slow client
      // hold a socket far past headersMs.
      connectionsCheckingInterval: Math.max(250, Math.min(1_000, Math.floor(options.timeouts.headersMs / 4))),
      requireHostHeader: false,
    },
    handler,
  );
  server.on('clientError', (error: NodeJS.ErrnoException, socket: Duplex) => {
    const reason = clientErrorReason(error.code);
    if (reason) {
      countRejection(deps.metrics, UNMATCHED_HOOK, reason);
      const remote = (socket as { remoteAddress?: string }).remoteAddress ?? '';
      deps.rejections.write({ reason, hook: UNMATCHED_HOOK, source: remote, status: ANSWERS[reason].status, requestId: '-', detail: { code: error.code } });
    }
    if (!reason || !socket.writable || (socket as { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent) {
      socket.destroy();
      return;
    }
    const answer = ANSWERS[reason];
    socket.end(`HTTP/1.1 ${answer.status} ${http.STATUS_CODES[answer.status]}\r\nConnection: close\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(answer.text)}\r\n\r\n${answer.text}`);
  });
  return server;
}

/** Node's parser and timeout errors, by code. ECONNRESET and friends are a client gone: no answer. */
function clientErrorReason(code: string | undefined): Reason | undefined {
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'timeout';
  if (code === 'HPE_HEADER_OVERFLOW') return 'header_too_large';
  if (code !== undefined && code.startsWith('HPE_')) return 'malformed';
  return undefined;
}
