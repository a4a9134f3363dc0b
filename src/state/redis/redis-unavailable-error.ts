/** Thrown in `onError: closed` when an operation without an `unavailable` answer meets an outage. */
export class RedisUnavailableError extends Error {
  override readonly name = 'RedisUnavailableError';

  constructor(operation: string) {
    super(`Redis is unavailable: ${operation} was not recorded`);
  }
}
