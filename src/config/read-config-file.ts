import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigError } from './problems.js';

/**
 * Reads a YAML or JSON config file (JSON is YAML, so one parser serves both; `.json` files are
 * parsed strictly as JSON so a JSON user gets JSON's error messages).
 */
export function readConfigFile(path: string): unknown {
  return readConfigText(path).value;
}

/** Like readConfigFile, with the text it parsed (for change detection). */
export function readConfigText(path: string): { value: unknown; text: string } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError([{ path: '(file)', message: `cannot read ${path}: ${code}` }]);
  }
  try {
    const value: unknown = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text, { prettyErrors: true, strict: true, uniqueKeys: true });
    if (value === null || value === undefined) throw new Error('the file is empty');
    return { value, text };
  } catch (error) {
    throw new ConfigError([{ path: '(file)', message: `cannot parse ${path}: ${(error as Error).message.split('\n')[0]}` }]);
  }
}
