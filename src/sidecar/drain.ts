import { Server as NetServer } from 'node:net';
import type { Server } from 'node:http';
import type { Logger } from 'pino';
import type { Lifecycle } from '../gateway/gateway-deps.js';
import { closeServer } from '../net/listen.js';

export interface DrainTargets {
  readonly gateway: Server;
  readonly admin: Server;
  readonly lifecycle: Lifecycle;
  readonly logger: Logger;
  readonly deadlineMs: number;
}

/**
 * How long a kept-alive connection that is idle when the drain begins stays open. A client may be
 * sending its next request on it at that very moment; closing it then turns that request into a
 * reset (the client cannot tell whether it was processed). Within the grace such a request gets
 * its 503 with `Connection: close` instead, and the client stops using the connection cleanly.
 * Longer than the idle timeout of common clients (undici, behind Node's fetch: 4 s), which thus
 * close their idle connections themselves; the drain ends as soon as no connection is left.
 */
export const IDLE_GRACE_MS = 5_000;

/**
 * Graceful stop: readiness turns false and new requests get 503 with `Connection: close`
 * (trackRequest reads the flag), the listener closes, in-flight requests finish up to the
 * deadline, idle kept-alive connections are closed after IDLE_GRACE_MS, then everything is released.
 */
export async function drain(targets: DrainTargets, release: () => Promise<void>): Promise<void> {
  const { gateway, admin, lifecycle, logger } = targets;
  lifecycle.shuttingDown = true;
  logger.info({ event: 'draining', inFlight: lifecycle.inFlight }, 'shutting down: draining in-flight requests');
  const closed = stopListening(gateway);
  const started = Date.now();
  const deadline = started + targets.deadlineMs;
  const graceEnd = started + Math.min(IDLE_GRACE_MS, targets.deadlineMs);
  for (;;) {
    const graceOver = Date.now() >= graceEnd;
    // A kept-alive connection that is idle after the grace (or after its last answer) is closed now.
    if (graceOver) gateway.closeIdleConnections();
    if (lifecycle.inFlight === 0 && (graceOver || (await openConnections(gateway)) === 0)) break;
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
  if (lifecycle.inFlight > 0) logger.warn({ event: 'drain_deadline', inFlight: lifecycle.inFlight }, 'shutdown deadline reached with requests in flight');
  gateway.closeAllConnections();
  await closed;
  await release();
  admin.closeAllConnections();
  await closeServer(admin);
  logger.info({ event: 'stopped' }, 'hookguard sidecar stopped');
}

/**
 * Closes the listening socket only. Node's http `Server#close` (since Node 19) also closes every
 * idle kept-alive connection at once, which is the reset IDLE_GRACE_MS avoids; the drain closes
 * those itself, after the grace. Resolves once the last connection has ended.
 */
function stopListening(server: Server): Promise<void> {
  return new Promise((resolve) => NetServer.prototype.close.call(server, () => resolve()));
}

function openConnections(server: Server): Promise<number> {
  return new Promise((resolve) => server.getConnections((error, count) => resolve(error ? 0 : count)));
}
