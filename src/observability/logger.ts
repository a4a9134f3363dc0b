import pino, { type DestinationStream, type Logger, type LevelWithSilent } from 'pino';

export type { Logger } from 'pino';

/**
 * Header and field paths that may carry a credential. pino's redaction replaces them in every line,
 * at every level, so a secret can only reach a log by being logged under a new name: never do that.
 */
export const REDACT_PATHS = [
  'secret',
  'secrets',
  'token',
  'password',
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-hub-signature"]',
  'req.headers["x-hub-signature-256"]',
  'req.headers["x-gitlab-token"]',
  'req.headers["stripe-signature"]',
  'req.headers["x-slack-signature"]',
  'req.headers["x-shopify-hmac-sha256"]',
  'req.headers["x-twilio-signature"]',
  'req.headers["webhook-signature"]',
  'req.headers["x-signature-ed25519"]',
  'headers.authorization',
  'headers.cookie',
];

const LEVELS: readonly string[] = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export function isLogLevel(value: string): value is LevelWithSilent {
  return LEVELS.includes(value);
}

export interface LoggerOptions {
  readonly level?: string;
  readonly name?: string;
  /** Where lines go; stdout by default. Tests pass a sink to read them back. */
  readonly destination?: DestinationStream;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const level = options.level ?? process.env.HOOKGUARD_LOG_LEVEL ?? 'info';
  return pino(
    {
      name: options.name ?? 'hookguard',
      level: isLogLevel(level) ? level : 'info',
      redact: { paths: REDACT_PATHS, censor: '[redacted]' },
      base: {
        pod: process.env.POD_NAME,
        namespace: process.env.POD_NAMESPACE,
      },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}
