export const USAGE = `hookguard: a webhook gateway sidecar

Usage:
  hookguard sidecar --config FILE [--listen HOST:PORT] [--admin HOST:PORT] [--upstream URL]
  hookguard check --config FILE
  hookguard injector --config FILE [--listen HOST:PORT] [--admin HOST:PORT]
  hookguard tokens rotate|list|revoke --config FILE --hook NAME [--grace DURATION] [--id ID]
  hookguard inject -f FILE|- [--config INJECTOR_CONFIG] [--diff]
  hookguard --help | --version

Environment: HOOKGUARD_CONFIG (config path), HOOKGUARD_REDIS_URL (overrides redis.url),
HOOKGUARD_REDIS_PASSWORD (the Redis password, set by the injector from a Secret),
HOOKGUARD_LOG_LEVEL (fatal, error, warn, info, debug, trace, silent).
`;

/** A mistake on the command line: printed with the usage, exit code 1. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
