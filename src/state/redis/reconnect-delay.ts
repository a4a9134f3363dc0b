/** The longest pause between two reconnection attempts. */
export const MAX_RECONNECT_DELAY_MS = 2_000;

/**
 * Delay before reconnection attempt `attempt` (1, 2, ...): doubles from 50 ms up to
 * MAX_RECONNECT_DELAY_MS, and never gives up, so a sidecar recovers by itself however long Redis
 * was away. A quarter of jitter spreads the replicas of a large deployment, which would otherwise
 * all knock at the same instant on a Redis that has just come back.
 */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(MAX_RECONNECT_DELAY_MS, 50 * 2 ** Math.min(Math.max(attempt - 1, 0), 10));
  return Math.round(base * (0.75 + random() * 0.25));
}
