import type { PresetFeed } from './types.js';
import { SOURCE_PRESETS } from './presets.js';
import { normalizeCidr } from './normalize-cidr.js';

// GitHub's and Stripe's lists hold a few dozen entries; far more means the document is not the list.
const MAX_ENTRIES = 4096;

export type PresetListResult = { readonly ok: true; readonly cidrs: readonly string[] } | { readonly ok: false; readonly reason: string };

/**
 * Validates a freshly fetched copy of a provider's published list: GitHub's meta document
 * (`{"hooks": [...], ...}`), Stripe's ips_webhooks.json (`{"WEBHOOKS": [...]}`), Svix's
 * webhook-ips.json (`{"us": [...], ...}`). `json` is the parsed document or its text. Any entry
 * that is not a CIDR or address, or is not a plausible provider range, fails the whole list: the
 * caller keeps the last good list rather than trusting part of a broken one. Pure: the refresher
 * does the fetching.
 */
export function parsePresetList(provider: string, json: unknown): PresetListResult {
  const preset = Object.hasOwn(SOURCE_PRESETS, provider) ? SOURCE_PRESETS[provider] : undefined;
  if (preset === undefined) return { ok: false, reason: `"${provider}" is not a provider with published ranges` };
  if (preset.feed === undefined) return { ok: false, reason: `${provider} publishes its ranges only as prose; there is no list to fetch` };
  return parseFeedDocument(preset.feed, json);
}

function parseFeedDocument(feed: PresetFeed, json: unknown): PresetListResult {
  let document = json;
  if (typeof json === 'string') {
    try {
      document = JSON.parse(json);
    } catch {
      return { ok: false, reason: 'the document is not JSON' };
    }
  }
  if (document === null || typeof document !== 'object' || Array.isArray(document)) return { ok: false, reason: 'the document is not a JSON object' };
  const list = Object.hasOwn(document, feed.key) ? (document as Record<string, unknown>)[feed.key] : undefined;
  if (!Array.isArray(list)) return { ok: false, reason: `the document has no "${feed.key}" list` };
  if (list.length === 0) return { ok: false, reason: `"${feed.key}" is empty` };
  if (list.length > MAX_ENTRIES) return { ok: false, reason: `"${feed.key}" has ${list.length} entries, more than ${MAX_ENTRIES}` };
  const cidrs = new Set<string>();
  for (const [index, entry] of list.entries()) {
    if (typeof entry !== 'string') return { ok: false, reason: `${feed.key}[${index}] is not a string` };
    const result = normalizeCidr(entry);
    if (!result.ok) return { ok: false, reason: `${feed.key}[${index}]: ${result.reason}` };
    cidrs.add(result.cidr);
  }
  return { ok: true, cidrs: Object.freeze([...cidrs]) };
}
