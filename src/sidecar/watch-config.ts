import { statSync, watch, type FSWatcher } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { SidecarConfig } from '../config/types.js';
import { ConfigError } from '../config/problems.js';

export interface WatchConfigOptions {
  readonly path: string;
  /** Loads and validates the config with its fingerprint; throws ConfigError when it is bad. */
  readonly load: () => { config: SidecarConfig; fingerprint: string };
  readonly initialFingerprint: string;
  /** Applies a new config; returns notes on what needs a restart. */
  readonly apply: (config: SidecarConfig) => string[];
  readonly logger: Logger;
  readonly reloads: Counter<'result'>;
  /** Polling interval; also catches secret files that live outside the config's folder. */
  readonly intervalMs?: number;
  /** Extra folders to watch (the secret files' folders). */
  readonly folders?: readonly string[];
  /**
   * The files the running config was made from (the config and its secret files). Polling stats
   * them and reloads only when one changed: re-validating a config of 1,000 hooks on every poll
   * would block the event loop for tens of milliseconds.
   */
  readonly files?: () => readonly string[];
}

/**
 * Watches the config file and the secrets it references. Kubernetes updates a mounted ConfigMap or
 * Secret by swapping a `..data` symlink, which a watch on the file itself misses, so the folders
 * are watched and the whole config is re-read and fingerprinted on every event and on a timer.
 * A valid new version is applied at once; a bad one is refused, logged and counted once per
 * distinct failure, and the running version stays.
 */
export function watchConfig(options: WatchConfigOptions): { check(): void; close(): void } {
  let fingerprint = options.initialFingerprint;
  let lastRefusal = '';
  let debounce: NodeJS.Timeout | undefined;

  let lastStat = statOf(options.files?.() ?? []);

  function poll(): void {
    if (options.files) {
      const stat = statOf(options.files());
      if (stat === lastStat) return;
    }
    check();
  }

  function check(): void {
    if (options.files) lastStat = statOf(options.files());
    let loaded: { config: SidecarConfig; fingerprint: string };
    try {
      loaded = options.load();
    } catch (error) {
      const message = error instanceof ConfigError ? error.message : `cannot load config: ${(error as Error).message}`;
      if (message !== lastRefusal) {
        lastRefusal = message;
        options.reloads.inc({ result: 'refused' });
        options.logger.error({ event: 'config_refused', problems: error instanceof ConfigError ? error.problems : undefined }, `config change refused, keeping the running version: ${message}`);
      }
      return;
    }
    lastRefusal = '';
    if (loaded.fingerprint === fingerprint) return;
    const notes = options.apply(loaded.config);
    fingerprint = loaded.fingerprint;
    options.reloads.inc({ result: 'applied' });
    options.logger.info({ event: 'config_applied', fingerprint, hooks: loaded.config.hooks.map((h) => h.name) }, 'config reloaded');
    for (const note of notes) options.logger.warn({ event: 'config_restart_needed' }, note);
  }

  const schedule = () => {
    clearTimeout(debounce);
    // Writers often touch a file several times; one reload after they settle is enough.
    debounce = setTimeout(check, 100);
    debounce.unref();
  };
  const watchers: FSWatcher[] = [];
  for (const folder of new Set([dirname(options.path), ...(options.folders ?? [])])) {
    try {
      const watcher = watch(folder, { persistent: false }, schedule);
      watcher.on('error', () => watcher.close());
      watchers.push(watcher);
    } catch {
      // A folder that cannot be watched is still covered by polling.
    }
  }
  const timer = setInterval(poll, options.intervalMs ?? 5_000);
  timer.unref();
  return {
    check,
    close() {
      clearInterval(timer);
      clearTimeout(debounce);
      for (const watcher of watchers) watcher.close();
    },
  };
}

/** Identity, size and modification time of each file (symlinks followed, as Kubernetes swaps them). */
function statOf(files: readonly string[]): string {
  let text = '';
  for (const file of files) {
    try {
      const stat = statSync(file);
      text += `${file}:${stat.ino}:${stat.size}:${stat.mtimeMs}|`;
    } catch {
      text += `${file}:missing|`;
    }
  }
  return text;
}
