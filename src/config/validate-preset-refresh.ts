import type { Problems } from './problems.js';
import type { SidecarConfig } from './types.js';
import { SOURCE_PRESETS } from '../sources/presets.js';
import { keyPath } from './key-path.js';
import { checkKeys, isObject, readInteger, readStringList } from './shape.js';

/**
 * `presetRefresh: {intervalSeconds, providers: [github, stripe], urls: {github: URL}}`: which preset
 * lists to fetch and from where (a provider's own feed by default, or a mirror for clusters without
 * egress). Off when absent: a sidecar makes no outbound call unless asked.
 */
export function validatePresetRefresh(value: unknown, at: string, problems: Problems): SidecarConfig['presetRefresh'] {
  if (value === undefined || value === null) return undefined;
  if (!isObject(value)) {
    problems.add(at, 'must be {intervalSeconds, providers: [...], urls: {provider: URL}}');
    return undefined;
  }
  checkKeys(value, ['intervalSeconds', 'providers', 'urls'], at, problems);
  const intervalSeconds = readInteger(value, 'intervalSeconds', at, problems, 60, 7 * 86_400) ?? 3_600;
  const providers = readStringList(value, 'providers', at, problems) ?? [];
  if (providers.length === 0) problems.add(keyPath(at, 'providers'), 'must list at least one provider preset to refresh');
  const urls = isObject(value.urls) ? value.urls : {};
  if (value.urls !== undefined && !isObject(value.urls)) problems.add(keyPath(at, 'urls'), 'must map provider names to URLs');
  const targets: { provider: string; url: string }[] = [];
  providers.forEach((provider, index) => {
    const preset = Object.hasOwn(SOURCE_PRESETS, provider) ? SOURCE_PRESETS[provider] : undefined;
    const override = urls[provider];
    if (!preset) {
      problems.add(keyPath(keyPath(at, 'providers'), index), `"${provider}" is not a provider with published ranges (known: ${Object.keys(SOURCE_PRESETS).join(', ')})`);
      return;
    }
    if (override !== undefined && (typeof override !== 'string' || !/^https?:\/\/\S+$/.test(override))) {
      problems.add(keyPath(keyPath(at, 'urls'), provider), 'must be an http(s) URL');
      return;
    }
    const url = typeof override === 'string' ? override : preset.feed?.url;
    if (!url || !preset.feed) {
      problems.add(keyPath(keyPath(at, 'providers'), index), `${provider} publishes its ranges only as prose: there is no list to fetch`);
      return;
    }
    targets.push({ provider, url });
  });
  for (const name of Object.keys(urls)) {
    if (!providers.includes(name)) problems.add(keyPath(keyPath(at, 'urls'), name), 'is not listed in providers');
  }
  return { intervalMs: intervalSeconds * 1000, targets };
}
