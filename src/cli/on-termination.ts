/**
 * Waits for SIGTERM or SIGINT, runs `stop` once, and resolves with the exit code (0 after a clean
 * stop). A second signal while stopping exits at once with 1.
 */
export function onTermination(stop: () => Promise<void>): Promise<number> {
  return new Promise((resolve) => {
    let stopping = false;
    const handler = () => {
      if (stopping) {
        process.exit(1);
      }
      stopping = true;
      stop().then(
        () => resolve(0),
        (error: unknown) => {
          process.stderr.write(`hookguard: shutdown failed: ${(error as Error).stack ?? String(error)}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', handler);
    process.on('SIGINT', handler);
  });
}
