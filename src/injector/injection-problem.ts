/**
 * One reason a pod that asked for the sidecar cannot get it. `key` is the annotation to fix or, for
 * a clash with the pod's own spec, the field path; the message says what is accepted.
 */
export interface InjectionProblem {
  readonly key: string;
  readonly message: string;
}

const MAX_SHOWN_VALUE = 64;

/** Quotes a user's value for a message, cut short: annotation values can be megabytes. */
export function showValue(value: string): string {
  const shown = value.length > MAX_SHOWN_VALUE ? `${value.slice(0, MAX_SHOWN_VALUE)}...` : value;
  return JSON.stringify(shown);
}

export function invalidValue(key: string, value: string, accepted: string): InjectionProblem {
  return { key, message: `${showValue(value)} is not accepted; accepted values: ${accepted}` };
}

/** One line, because the API server shows it to `kubectl` users as is. */
export function formatProblems(problems: readonly InjectionProblem[]): string {
  return `hookguard cannot inject its sidecar: ${problems.map((p) => `${p.key}: ${p.message}`).join('; ')}`;
}
