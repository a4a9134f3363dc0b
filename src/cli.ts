#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { parseCommandLine } from './cli/parse-command-line.js';
import { USAGE, UsageError } from './cli/usage.js';
import { checkCommand } from './cli/check-command.js';
import { sidecarCommand } from './cli/sidecar-command.js';
import { injectorCommand } from './cli/injector-command.js';
import { tokensCommand } from './tokens/tokens-command.js';
import { injectCommand } from './cli/inject-command.js';
import { ConfigError } from './config/problems.js';

/** The hookguard CLI: parses the command line and hands over to one command module. */
async function main(argv: readonly string[], env: NodeJS.ProcessEnv): Promise<number> {
  const io = { out: (line: string) => process.stdout.write(`${line}\n`), err: (line: string) => process.stderr.write(`${line}\n`) };
  try {
    // `tokens` has flags of its own (--hook, --grace, --id) and parses them itself.
    if (argv[0] === 'tokens') return await tokensCommand(argv.slice(1), env, io);
    // `inject` too (-f, --diff); it writes YAML exactly as given, without an added newline.
    if (argv[0] === 'inject') return await injectCommand(argv.slice(1), { out: (text) => process.stdout.write(text), err: io.err, readStdin }, env);
    const line = parseCommandLine(argv, env);
    if (line.version) {
      const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };
      io.out(pkg.version);
      return 0;
    }
    if (line.help || line.command === '' || line.command === 'help') {
      io.out(USAGE);
      return line.command === '' && !line.help ? 1 : 0;
    }
    switch (line.command) {
      case 'check':
        return checkCommand(line, io, env);
      case 'sidecar':
        return await sidecarCommand(line, env);
      case 'injector':
        return await injectorCommand(line, env);
      default:
        throw new UsageError(`unknown command "${line.command}"`);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      io.err(`hookguard: ${error.message}\n\n${USAGE}`);
      return 1;
    }
    if (error instanceof ConfigError) {
      io.err(`hookguard: ${error.message}`);
      return 1;
    }
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EACCES' || code === 'EADDRNOTAVAIL') {
      io.err(`hookguard: cannot listen: ${(error as Error).message}`);
      return 1;
    }
    io.err(`hookguard: ${(error as Error).stack ?? String(error)}`);
    return 1;
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

main(process.argv.slice(2), process.env).then((code) => {
  process.exitCode = code;
  // Servers are closed by now; anything left (a stray timer) must not keep a stopped sidecar alive.
  if (code !== 0 || (process.argv[2] !== 'sidecar' && process.argv[2] !== 'injector')) return;
  setTimeout(() => process.exit(code), 100).unref();
});
