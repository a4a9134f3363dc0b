import { isObject } from '../config/shape.js';
import type { InjectionProblem } from '../injector/injection-problem.js';

function describe(value: unknown): string {
  if (value === null) return 'null (an empty value)';
  if (value instanceof Date) return `a date (${value.toISOString().slice(0, 10)})`;
  if (Array.isArray(value)) return 'a list';
  if (isObject(value)) return 'a mapping';
  return `the ${typeof value} ${String(value)}`;
}

/**
 * Annotation values must be strings, and an unquoted `true`, `8080` or `yes` is not one. The
 * webhook never sees such a pod because the API server refuses it first; here it is the most
 * common mistake, so each one is named with its key instead of a generic shape error.
 */
export function checkAnnotationValues(template: Readonly<Record<string, unknown>>): InjectionProblem[] {
  const metadata = template.metadata;
  if (!isObject(metadata)) return [];
  const annotations = metadata.annotations;
  if (annotations === undefined || annotations === null) return [];
  if (!isObject(annotations)) return [{ key: 'metadata.annotations', message: 'must be a mapping of names to strings' }];
  return Object.entries(annotations)
    .filter(([, value]) => typeof value !== 'string')
    .map(([key, value]) => ({ key, message: `must be a string, not ${describe(value)}: quote the value` }));
}
