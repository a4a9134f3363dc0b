import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ProviderName } from './provider-kinds.js';

export interface HookOptions {
  /** Secret files of each provider's hook, in order; several = a rotation overlap. */
  readonly secretFiles: Record<ProviderName, readonly string[]>;
  readonly rateLimit?: object;
  readonly lockout?: object | false;
}

export interface ConfigOptions extends HookOptions {
  readonly upstream: string;
  readonly redis?: { readonly url: string; readonly onError: 'open' | 'closed'; readonly timeoutMs?: number };
  /** Whole seconds, merged over the chaos defaults. */
  readonly timeouts?: Record<string, number>;
}

/**
 * The sidecar's timeouts in every chaos run: a 1 s upstream deadline, so a slow app costs the run
 * seconds, not minutes; the rest as shipped.
 */
export const CHAOS_TIMEOUTS = { upstreamConnectSeconds: 1, upstreamSeconds: 1, shutdownSeconds: 10 };

/** The config of a sidecar guarding one hook per simulated provider. */
export function sidecarConfig(options: ConfigOptions): Record<string, unknown> {
  const hook = (name: ProviderName) => ({
    name,
    path: `/hooks/${name}`,
    provider: name,
    secrets: options.secretFiles[name].map((file) => ({ file })),
    ...(options.rateLimit ? { rateLimit: options.rateLimit } : {}),
    ...(options.lockout !== undefined ? { lockout: options.lockout } : {}),
  });
  return {
    upstream: options.upstream,
    ...(options.redis ? { redis: { timeoutMs: 250, ...options.redis } } : {}),
    timeouts: { ...CHAOS_TIMEOUTS, ...options.timeouts },
    hooks: [hook('github'), hook('stripe'), hook('standard')],
  };
}

/**
 * A folder holding a sidecar's config and secret files. Every write is atomic (a new file renamed
 * over the old), as the kubelet's symlink swap is: the sidecar's watcher never reads half a file.
 */
export class Stage {
  readonly dir = mkdtempSync(join(tmpdir(), 'hookguard-chaos-'));
  readonly configPath = join(this.dir, 'hookguard.json');
  private n = 0;

  /** Writes a new secret file and returns its path. */
  secret(name: string, value: string): string {
    const path = join(this.dir, `${name}.secret`);
    this.write(path, `${value}\n`);
    return path;
  }

  removeFile(path: string): void {
    rmSync(path, { force: true });
  }

  writeConfig(config: Record<string, unknown>): void {
    this.write(this.configPath, `${JSON.stringify(config, null, 2)}\n`);
  }

  /** Any text in place of the config, such as a broken one. */
  writeConfigText(text: string): void {
    this.write(this.configPath, text);
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }

  private write(path: string, text: string): void {
    const temporary = join(this.dir, `.tmp-${process.pid}-${this.n++}`);
    writeFileSync(temporary, text);
    renameSync(temporary, path);
  }
}
