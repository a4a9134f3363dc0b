import type { Logger } from 'pino';
import type { Counter } from 'prom-client';
import type { PresetBook } from './preset-book.js';
import type { PresetShare } from './preset-share.js';
import { SOURCE_PRESETS } from './presets.js';
import { parsePresetList } from './parse-preset-list.js';

export interface PresetFeedTarget {
  readonly provider: string;
  readonly url: string;
}

export interface PresetRefresherDeps {
  readonly targets: readonly PresetFeedTarget[];
  readonly book: PresetBook;
  readonly logger: Logger;
  readonly refreshes: Counter<'provider' | 'result'>;
  readonly intervalMs: number;
  readonly timeoutMs?: number;
  readonly fetchImpl?: typeof fetch;
  /** With Redis: reuse a list another replica fetched within the interval, and fetch only under a lease. */
  readonly share?: PresetShare;
  readonly now?: () => number;
}

/** Largest document accepted; GitHub's meta document, the biggest, is well under this. */
const MAX_DOCUMENT_BYTES = 2 * 1_048_576;

/**
 * Fetches each provider's published list on an interval, validates it, and swaps it into the
 * book. Anything wrong (no answer, an error status, not JSON, a bad entry) keeps the last good list:
 * a broken feed must never empty an allowlist and block real deliveries, nor widen it.
 */
export function createPresetRefresher(deps: PresetRefresherDeps): { refreshNow(): Promise<void>; close(): void } {
  const fetchImpl = deps.fetchImpl ?? fetch;
  const now = deps.now ?? Date.now;

  /** A fresh enough list from another replica: applied, and no fetch. Errors fall back to fetching. */
  async function reuseShared(target: PresetFeedTarget): Promise<boolean> {
    if (!deps.share) return false;
    try {
      const shared = await deps.share.load(target.provider);
      if (shared && now() - shared.fetchedAt < deps.intervalMs) {
        const key = SOURCE_PRESETS[target.provider]?.feed?.key;
        const parsed = key ? parsePresetList(target.provider, { [key]: shared.cidrs }) : undefined;
        if (parsed?.ok) {
          const changed = deps.book.update(target.provider, parsed.cidrs);
          deps.refreshes.inc({ provider: target.provider, result: 'shared' });
          if (changed) deps.logger.info({ event: 'preset_updated', provider: target.provider, ranges: parsed.cidrs.length, from: 'redis' }, 'provider ranges updated from another replica');
          return true;
        }
      }
      // Someone else holds the lease: they fetch, this replica picks the list up next time.
      if (!(await deps.share.lease(target.provider, Math.min(deps.intervalMs, 60_000)))) return true;
    } catch (error) {
      deps.logger.debug({ event: 'preset_share_error', provider: target.provider, err: error }, 'shared provider ranges unavailable; fetching directly');
    }
    return false;
  }

  async function refreshOne(target: PresetFeedTarget): Promise<void> {
    if (await reuseShared(target)) return;
    let text: string;
    try {
      const response = await fetchImpl(target.url, { signal: AbortSignal.timeout(deps.timeoutMs ?? 10_000), headers: { accept: 'application/json' } });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      text = await response.text();
      if (text.length > MAX_DOCUMENT_BYTES) throw new Error(`document over ${MAX_DOCUMENT_BYTES} bytes`);
    } catch (error) {
      deps.refreshes.inc({ provider: target.provider, result: 'failed' });
      deps.logger.warn({ event: 'preset_refresh_failed', provider: target.provider, url: target.url, error: (error as Error).message }, 'provider ranges not refreshed; keeping the last good list');
      return;
    }
    const parsed = parsePresetList(target.provider, text);
    if (!parsed.ok) {
      deps.refreshes.inc({ provider: target.provider, result: 'invalid' });
      deps.logger.warn({ event: 'preset_refresh_invalid', provider: target.provider, url: target.url, reason: parsed.reason }, 'provider ranges refused; keeping the last good list');
      return;
    }
    const changed = deps.book.update(target.provider, parsed.cidrs);
    deps.refreshes.inc({ provider: target.provider, result: changed ? 'updated' : 'unchanged' });
    await deps.share?.store(target.provider, { cidrs: parsed.cidrs, fetchedAt: now() }).catch((error: unknown) => {
      deps.logger.debug({ event: 'preset_share_error', provider: target.provider, err: error }, 'could not share provider ranges');
    });
    if (changed) deps.logger.info({ event: 'preset_updated', provider: target.provider, ranges: parsed.cidrs.length }, 'provider ranges updated');
  }

  let first = true;
  const refreshNow = async () => {
    // At start the shared store may still be connecting; a replica that fetched alone then would
    // neither find nor share the list.
    if (first && deps.share) await deps.share.whenReady(2_000);
    first = false;
    await Promise.all(deps.targets.map(refreshOne));
  };
  const timer = setInterval(() => void refreshNow(), deps.intervalMs);
  timer.unref();
  return { refreshNow, close: () => clearInterval(timer) };
}
