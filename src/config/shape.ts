import type { Problems } from './problems.js';
import { keyPath } from './key-path.js';

/** Small typed readers over untrusted config values; each reports into Problems and returns undefined. */

export type Obj = Record<string, unknown>;

export function isObject(value: unknown): value is Obj {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function checkKeys(obj: Obj, allowed: readonly string[], path: string, problems: Problems): void {
  for (const key of Object.keys(obj)) {
    if (!allowed.includes(key)) problems.add(keyPath(path, key), `unknown key (allowed here: ${allowed.join(', ')})`);
  }
}

export function readString(obj: Obj, key: string, path: string, problems: Problems, required = false): string | undefined {
  const value = obj[key];
  if (value === undefined || value === null) {
    if (required) problems.add(keyPath(path, key), 'is required');
    return undefined;
  }
  if (typeof value !== 'string' || value.length === 0) {
    problems.add(keyPath(path, key), 'must be a non-empty string');
    return undefined;
  }
  return value;
}

export function readInteger(obj: Obj, key: string, path: string, problems: Problems, min: number, max: number): number | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) {
    problems.add(keyPath(path, key), `must be a whole number from ${min} to ${max}`);
    return undefined;
  }
  return value;
}

export function readStringList(obj: Obj, key: string, path: string, problems: Problems): string[] | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value)) {
    problems.add(keyPath(path, key), 'must be a list of strings');
    return undefined;
  }
  const out: string[] = [];
  value.forEach((item, index) => {
    if (typeof item !== 'string' || item.length === 0) problems.add(keyPath(keyPath(path, key), index), 'must be a non-empty string');
    else out.push(item);
  });
  return out;
}

export function readEnum<T extends string>(obj: Obj, key: string, path: string, problems: Problems, allowed: readonly T[]): T | undefined {
  const value = obj[key];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string' || !(allowed as readonly string[]).includes(value)) {
    problems.add(keyPath(path, key), `must be one of: ${allowed.join(', ')}`);
    return undefined;
  }
  return value as T;
}
