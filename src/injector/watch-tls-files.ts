import { watch, type FSWatcher } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { createSecureContext } from 'node:tls';
import type { Logger } from '../observability/logger.js';

export interface TlsFiles {
  readonly certFile: string;
  readonly keyFile: string;
}

export interface TlsMaterial {
  readonly cert: Buffer;
  readonly key: Buffer;
}

export interface TlsWatcher {
  /** Reads the files now and applies them if they changed and form a valid pair. */
  check(): Promise<void>;
  close(): void;
}

export interface WatchTlsDeps {
  readonly files: TlsFiles;
  /** What the server was started with; only a different pair counts as a change. */
  readonly current: TlsMaterial;
  readonly onChange: (material: TlsMaterial) => void;
  readonly logger: Logger;
  /** The fallback poll: fs.watch misses events on some volume types and across symlink swaps. */
  readonly intervalMs?: number;
}

const DEFAULT_INTERVAL_MS = 10_000;
// Kubernetes replaces a mounted Secret by swapping a symlink; coalesce the burst of events it makes.
const DEBOUNCE_MS = 50;

export async function readTlsMaterial(files: TlsFiles): Promise<TlsMaterial> {
  const [cert, key] = await Promise.all([readFile(files.certFile), readFile(files.keyFile)]);
  return { cert, key };
}

/**
 * Watches the certificate and key and hands a new pair to `onChange` (tls.Server#setSecureContext),
 * so rotation by cert-manager or the chart needs no restart. A pair that does not load (a key
 * written before its certificate, say) is skipped and the old one kept until the next check.
 */
export function watchTlsFiles(deps: WatchTlsDeps): TlsWatcher {
  let current = deps.current;
  let closed = false;
  let running: Promise<void> | undefined;
  let again = false;
  let debounce: NodeJS.Timeout | undefined;
  let lastRefused: string | undefined;

  const checkOnce = async (): Promise<void> => {
    let material: TlsMaterial;
    try {
      material = await readTlsMaterial(deps.files);
    } catch (error) {
      deps.logger.warn({ err: error, files: deps.files }, 'cannot read the TLS files; keeping the current certificate');
      return;
    }
    if (closed || (material.cert.equals(current.cert) && material.key.equals(current.key))) return;
    try {
      createSecureContext({ cert: material.cert, key: material.key });
    } catch (error) {
      const fingerprint = `${material.cert.length}:${material.key.length}:${(error as Error).message}`;
      if (fingerprint !== lastRefused) deps.logger.warn({ err: error }, 'the new TLS files do not form a valid pair yet; keeping the current certificate');
      lastRefused = fingerprint;
      return;
    }
    current = material;
    lastRefused = undefined;
    deps.onChange(material);
    deps.logger.info({ files: deps.files }, 'TLS certificate reloaded');
  };

  const check = async (): Promise<void> => {
    if (running) {
      again = true;
      return running;
    }
    running = (async () => {
      do {
        again = false;
        await checkOnce();
      } while (again && !closed);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };

  const schedule = (): void => {
    if (closed) return;
    clearTimeout(debounce);
    debounce = setTimeout(() => void check(), DEBOUNCE_MS);
    debounce.unref();
  };

  const watchers: FSWatcher[] = [];
  for (const dir of new Set([dirname(deps.files.certFile), dirname(deps.files.keyFile)])) {
    try {
      const watcher = watch(dir, { persistent: false }, schedule);
      watcher.on('error', (error) => {
        deps.logger.warn({ err: error, dir }, 'watching the TLS directory failed; relying on the periodic check');
        watcher.close();
      });
      watchers.push(watcher);
    } catch (error) {
      deps.logger.warn({ err: error, dir }, 'cannot watch the TLS directory; relying on the periodic check');
    }
  }
  const interval = setInterval(() => void check(), deps.intervalMs ?? DEFAULT_INTERVAL_MS);
  interval.unref();

  return {
    check,
    close() {
      closed = true;
      clearTimeout(debounce);
      clearInterval(interval);
      for (const watcher of watchers) watcher.close();
    },
  };
}
