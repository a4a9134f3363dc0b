import { setTimeout as sleep } from 'node:timers/promises';

/** Thrown by a check when waiting longer cannot help, such as when the awaited process has exited. */
export class GiveUp extends Error {}

/**
 * Polls `check` until it returns a value other than undefined, or throws after `timeoutMs` with
 * `describe()` (for example a process's log tail) in the message.
 */
export async function waitUntil<T>(what: string, check: () => Promise<T | undefined>, options: { timeoutMs: number; intervalMs?: number; describe?: () => string }): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      if (error instanceof GiveUp) {
        const detail = options.describe ? `\n${options.describe()}` : '';
        throw new Error(`e2e: gave up waiting for ${what}: ${error.message}${detail}`);
      }
      lastError = error;
    }
    if (Date.now() > deadline) {
      const cause = lastError instanceof Error ? ` (last error: ${lastError.message})` : '';
      const detail = options.describe ? `\n${options.describe()}` : '';
      throw new Error(`e2e: timed out after ${options.timeoutMs} ms waiting for ${what}${cause}${detail}`);
    }
    await sleep(options.intervalMs ?? 200);
  }
}
