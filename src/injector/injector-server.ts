import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer, type Server } from 'node:https';
import type { HostPort } from '../net/parse-host-port.js';
import { listen } from '../net/listen.js';
import type { Logger } from '../observability/logger.js';
import type { InjectionOutcome } from './inject-pod.js';
import { MUTATE_PATH } from './injector-names.js';
import type { InjectorOptions } from './injector-options.js';
import { countInjection, type InjectorMetrics } from './injector-metrics.js';
import { parseAdmissionReview, type AdmissionRequest } from './parse-admission-review.js';
import { readBody } from './read-body.js';
import { mutate as defaultMutate, type MutateResult } from './review-response.js';
import type { TlsMaterial } from './watch-tls-files.js';

export interface InjectorServerDeps {
  readonly tls: TlsMaterial;
  readonly options: InjectorOptions;
  readonly logger: Logger;
  readonly metrics: InjectorMetrics;
  /**
   * The API server sends at most 3 MiB (its own request limit) and an AdmissionReview of a Pod
   * CREATE is well under it; anything larger is not from the API server.
   */
  readonly maxBodyBytes?: number;
  /** The API server gives up after the webhook's timeoutSeconds (10 s default, 30 s at most). */
  readonly requestTimeoutMs?: number;
  readonly headersTimeoutMs?: number;
  /** Replaceable in tests, to make an internal error happen. */
  readonly mutate?: (request: AdmissionRequest, options: InjectorOptions) => MutateResult;
}

export interface InjectorServer {
  readonly server: Server;
  listen(at: HostPort): Promise<HostPort>;
  /** Serves new connections with this certificate; open connections keep theirs. */
  setTls(material: TlsMaterial): void;
  /** Stops accepting, lets requests in flight finish for up to `graceMs`, then cuts what is left. */
  close(graceMs?: number): Promise<void>;
}

export const DEFAULT_MAX_BODY_BYTES = 3 * 1024 * 1024;

function send(res: ServerResponse, status: number, body: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return;
  res.writeHead(status, { 'content-type': 'text/plain; charset=utf-8', 'content-length': String(Buffer.byteLength(body)), ...headers });
  res.end(body);
}

/**
 * Nested under `admission` because the logger's base fields `pod` and `namespace` already name the
 * injector's own pod.
 */
function admissionFields(request: AdmissionRequest): { admission: Record<string, string | undefined> } {
  return { admission: { uid: request.uid, namespace: request.context.namespace, name: request.name } };
}

function logOutcome(logger: Logger, request: AdmissionRequest, outcome: InjectionOutcome): void {
  const fields = { ...admissionFields(request), result: outcome.result };
  switch (outcome.result) {
    case 'injected':
      logger.info(
        { ...fields, native: outcome.options.native, port: outcome.options.port, upstreamPort: outcome.options.upstreamPort, takeover: outcome.takeover?.name, warnings: outcome.warnings },
        'sidecar injected',
      );
      return;
    case 'denied':
      logger.info({ ...fields, problems: outcome.problems, warnings: outcome.warnings }, 'pod denied: bad hookguard annotations');
      return;
    case 'skipped':
      if (outcome.patch !== undefined) logger.warn({ ...fields, reason: outcome.reason, warnings: outcome.warnings }, 'injected pod repaired');
      else if (outcome.warnings.length > 0) logger.warn({ ...fields, reason: outcome.reason, hint: outcome.warnings }, 'pod not injected');
      else logger.info({ ...fields, reason: outcome.reason }, 'pod not injected');
  }
}

export function createInjectorServer(deps: InjectorServerDeps): InjectorServer {
  const maxBodyBytes = deps.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const mutate = deps.mutate ?? defaultMutate;
  const { logger, metrics } = deps;
  let closing = false;

  // Counted as `error`: no admission answer was given, so the API server applies failurePolicy.
  const refuse = (res: ServerResponse, status: number, message: string): void => {
    countInjection(metrics, 'error');
    logger.warn({ status, reason: message }, 'admission request refused');
    send(res, status, `${message}\n`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    if (closing) res.setHeader('connection', 'close');
    // The API server appends `?timeout=10s` to the webhook URL: compare the path only.
    const path = (req.url ?? '').split('?')[0];
    if (path !== MUTATE_PATH) return send(res, 404, 'not found\n');
    if (req.method !== 'POST') return send(res, 405, 'method not allowed\n', { allow: 'POST' });

    const body = await readBody(req, maxBodyBytes);
    if (!body.ok) {
      if (body.reason === 'aborted') return void req.socket.destroy();
      // Node discards the rest of the body after this answer (bounded by requestTimeout) rather
      // than closing at once, which would reset the connection before the client reads the 413.
      return refuse(res, 413, `the body is over ${maxBodyBytes} bytes`);
    }
    let json: unknown;
    try {
      json = JSON.parse(body.body.toString('utf8'));
    } catch {
      return refuse(res, 400, 'the body is not JSON');
    }
    const parsed = parseAdmissionReview(json);
    if (!parsed.ok) return refuse(res, 400, `not an AdmissionReview this injector accepts: ${parsed.reason}`);

    let result: MutateResult;
    try {
      result = mutate(parsed.request, deps.options);
    } catch (error) {
      // A bug, not a verdict on the pod: a 500 makes the API server apply the webhook's
      // failurePolicy, where allowed:false would deny every pod whatever the operator chose.
      countInjection(metrics, 'error');
      logger.error({ err: error, ...admissionFields(parsed.request) }, 'injection failed');
      return send(res, 500, 'internal error\n');
    }
    countInjection(metrics, result.outcome.result);
    logOutcome(logger, parsed.request, result.outcome);
    const answer = JSON.stringify(result.review);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(answer)) });
    res.end(answer);
  };

  const server = createServer(
    {
      cert: deps.tls.cert,
      key: deps.tls.key,
      minVersion: 'TLSv1.2',
      handshakeTimeout: 5_000,
      requestTimeout: deps.requestTimeoutMs ?? 10_000,
      headersTimeout: deps.headersTimeoutMs ?? 5_000,
      // How often the two timeouts above are enforced; Node's default of 30 s would let a slow
      // client hold a connection three times longer than the API server waits for us.
      connectionsCheckingInterval: 1_000,
      // Longer than the API server's idle connection reuse, so it is the one that closes.
      keepAliveTimeout: 65_000,
    },
    (req, res) => {
      handle(req, res).catch((error: unknown) => {
        logger.error({ err: error }, 'request handling failed');
        send(res, 500, 'internal error\n');
      });
    },
  );
  server.on('tlsClientError', (error) => logger.debug({ err: error }, 'TLS handshake failed'));

  return {
    server,
    async listen(at) {
      const bound = await listen(server, at);
      server.on('error', (error) => logger.error({ err: error }, 'injector server error'));
      return bound;
    },
    setTls(material) {
      server.setSecureContext({ cert: material.cert, key: material.key, minVersion: 'TLSv1.2' });
    },
    close(graceMs = 10_000) {
      closing = true;
      return new Promise((resolve) => {
        if (!server.listening) return resolve();
        const force = setTimeout(() => server.closeAllConnections(), graceMs);
        force.unref();
        server.close(() => {
          clearTimeout(force);
          resolve();
        });
        server.closeIdleConnections();
      });
    },
  };
}
