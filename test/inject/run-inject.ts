import { fileURLToPath } from 'node:url';
import { injectCommand } from '../../src/cli/inject-command.js';

/** The injector config of the golden files: test/injector/fixtures.ts's TEST_OPTIONS as a file. */
export const INJECTOR_CONFIG = fileURLToPath(new URL('./fixtures/injector.yaml', import.meta.url));

export interface InjectRun {
  readonly code: number;
  readonly stdout: string;
  /** Every line written to standard error, each with its newline. */
  readonly stderr: string;
}

/** Runs `hookguard inject ARGS` in this process with captured standard streams. */
export async function runInject(args: readonly string[], stdin = '', env: NodeJS.ProcessEnv = {}): Promise<InjectRun> {
  let stdout = '';
  let stderr = '';
  const code = await injectCommand(
    args,
    {
      out: (text) => void (stdout += text),
      err: (line) => void (stderr += `${line}\n`),
      readStdin: async () => stdin,
    },
    env,
  );
  return { code, stdout, stderr };
}
