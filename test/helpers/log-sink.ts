import { Writable } from 'node:stream';
import pino from 'pino';
import { REDACT_PATHS } from '../../src/observability/logger.js';

/** A pino logger whose lines the test can read back (as parsed JSON and as raw text). */
export function captureLogger(level = 'debug') {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString('utf8').split('\n')) if (line.trim()) lines.push(line);
      done();
    },
  });
  const logger = pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } }, sink);
  return {
    logger,
    lines,
    records: () => lines.map((line) => JSON.parse(line) as Record<string, unknown>),
    text: () => lines.join('\n'),
  };
}
