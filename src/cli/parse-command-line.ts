import { parseArgs } from 'node:util';
import { UsageError } from './usage.js';

export interface CommandLine {
  readonly command: string;
  readonly config?: string;
  readonly listen?: string;
  readonly admin?: string;
  readonly upstream?: string;
  readonly help: boolean;
  readonly version: boolean;
  readonly rest: readonly string[];
}

/** Parses the command and its flags; unknown flags are a UsageError, never ignored. */
export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv): CommandLine {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        listen: { type: 'string' },
        admin: { type: 'string' },
        upstream: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean' },
      },
    });
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const [command = '', ...rest] = parsed.positionals;
  const v = parsed.values;
  const config = v.config ?? (env.HOOKGUARD_CONFIG || undefined);
  return {
    command,
    help: v.help === true,
    version: v.version === true,
    rest,
    ...(config !== undefined ? { config } : {}),
    ...(v.listen !== undefined ? { listen: v.listen } : {}),
    ...(v.admin !== undefined ? { admin: v.admin } : {}),
    ...(v.upstream !== undefined ? { upstream: v.upstream } : {}),
  };
}
