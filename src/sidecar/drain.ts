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
 * Graceful stop: readiness turns false and new requests get 503 (trackRequest reads the flag), the
 * listener closes, in-flight requests finish up to the deadline, then everything is released.
 */
export async function drain(targets: DrainTargets, release: () => Promise<void>): Promise<void> {
  const { gateway, admin, lifecycle, logger } = targets;
  lifecycle.shuttingDown = true;
  logger.info({ event: 'draining', inFlight: lifecycle.inFlight }, 'shutting down: draining in-flight requests');
  const closed = closeServer(gateway);
  gateway.closeIdleConnections();
  const deadline = Date.now() + targets.deadlineMs;
  while (lifecycle.inFlight > 0 && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 25));
    // A keep-alive connection that went idle after its last answer is closed now.
    gateway.closeIdleConnections();
  }
  if (lifecycle.inFlight > 0) logger.warn({ event: 'drain_deadline', inFlight: lifecycle.inFlight }, 'shutdown deadline reached with requests in flight');
  gateway.closeAllConnections();
  await closed;
  await release();
  admin.closeAllConnections();
  await closeServer(admin);
  logger.info({ event: 'stopped' }, 'hookguard sidecar stopped');
}
