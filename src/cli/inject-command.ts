import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { ConfigError } from '../config/problems.js';
import { formatUnifiedDiff } from '../inject/format-unified-diff.js';
import { injectDocuments } from '../inject/inject-documents.js';
import { loadInjectOptions } from '../inject/load-inject-options.js';

export interface InjectIo {
  /** Writes `text` to standard output exactly as given: no newline is added. */
  out(text: string): void;
  /** Writes one line to standard error. */
  err(line: string): void;
  readStdin(): Promise<string>;
}

export const INJECT_USAGE = `Usage: hookguard inject -f FILE|- [--config INJECTOR_CONFIG] [--diff]

Writes the Kubernetes YAML in FILE (- for standard input) to standard output with the hookguard
sidecar added to every pod template that asks for it, exactly as the injector webhook would.

  -f, --file FILE     the manifests: one or many YAML documents; - reads standard input
  -c, --config FILE   the injector's config (sidecar image, resources, Redis); default: built-in
      --diff          print a unified diff of what changes instead of the manifests
  -h, --help          show this help
`;

const PREFIX = 'hookguard inject:';

interface InjectFlags {
  readonly file: string;
  readonly config?: string;
  readonly diff: boolean;
}

type ParsedFlags = { readonly ok: true; readonly flags: InjectFlags } | { readonly ok: false; readonly help: boolean; readonly message?: string };

function parseFlags(args: readonly string[]): ParsedFlags {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...args],
      strict: true,
      allowPositionals: false,
      options: {
        file: { type: 'string', short: 'f' },
        config: { type: 'string', short: 'c' },
        diff: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    return { ok: false, help: false, message: (error as Error).message };
  }
  if (values.help === true) return { ok: false, help: true };
  if (values.file === undefined || values.file === '') return { ok: false, help: false, message: 'needs -f FILE (or -f - for standard input)' };
  return { ok: true, flags: { file: values.file, diff: values.diff === true, ...(values.config !== undefined && { config: values.config }) } };
}

async function readInput(file: string, io: InjectIo): Promise<string | undefined> {
  if (file === '-') return io.readStdin();
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    io.err(`${PREFIX} cannot read ${file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    return undefined;
  }
}

/**
 * `hookguard inject`: reads the manifests, runs the pure core, and writes the result only once
 * all of it is known, so a failure leaves standard output empty and a pipe into `kubectl apply`
 * applies nothing. `args` are the words after `inject`. The environment is not read (see
 * loadInjectOptions for why POD_NAMESPACE in particular is not).
 */
export async function injectCommand(args: readonly string[], io: InjectIo, _env: NodeJS.ProcessEnv): Promise<number> {
  const parsed = parseFlags(args);
  if (!parsed.ok) {
    if (parsed.help) {
      io.out(INJECT_USAGE);
      return 0;
    }
    io.err(`${PREFIX} ${parsed.message}`);
    io.err(INJECT_USAGE.trimEnd());
    return 1;
  }
  const { flags } = parsed;

  let options;
  try {
    options = loadInjectOptions(flags.config);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`${PREFIX} ${error.message}`);
    return 1;
  }
  const text = await readInput(flags.file, io);
  if (text === undefined) return 1;

  const result = injectDocuments(text, options);
  for (const warning of result.warnings) io.err(`${PREFIX} warning: ${warning}`);
  if (!result.ok) {
    for (const error of result.errors) io.err(`${PREFIX} ${error}`);
    io.err(`${PREFIX} nothing written: ${result.errors.length} problem${result.errors.length === 1 ? '' : 's'}`);
    return 1;
  }
  if (!flags.diff) {
    if (result.output !== '') io.out(result.output);
    return 0;
  }
  const name = flags.file === '-' ? '<stdin>' : flags.file;
  const sections = result.documents.map((d) => ({ label: d.label, before: d.source, after: d.output }));
  const diff = formatUnifiedDiff(sections, { from: name, to: name });
  if (diff !== '') io.out(diff);
  return 0;
}
