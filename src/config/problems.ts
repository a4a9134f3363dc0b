/** One thing wrong with a config, with the key path that holds it (`hooks[0].secrets[1].file`). */
export interface Problem {
  readonly path: string;
  readonly message: string;
}

/** Collects every problem of a config so that all of them are reported at once. */
export class Problems {
  readonly list: Problem[] = [];

  add(path: string, message: string): void {
    this.list.push({ path: path === '' ? '(top level)' : path, message });
  }

  get empty(): boolean {
    return this.list.length === 0;
  }
}

export function formatProblems(problems: readonly Problem[]): string {
  return problems.map((p) => `  ${p.path}: ${p.message}`).join('\n');
}

/** Thrown by loaders when a config cannot be used; carries every problem. */
export class ConfigError extends Error {
  readonly problems: readonly Problem[];

  constructor(problems: readonly Problem[], source?: string) {
    super(`invalid config${source ? ` ${source}` : ''}:\n${formatProblems(problems)}`);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}
