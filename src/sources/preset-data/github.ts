import type { SourcePreset } from '../types.js';

/**
 * The `hooks` key of GitHub's meta API: the addresses webhook deliveries come from. The three /28
 * ranges were added on 2026-10-29 (github.blog/changelog/2026-10-29-webhook-ip-ranges-added-to-the-meta-api);
 * the others have been in `hooks` for years and appear unchanged in public configurations that copy
 * the API. GitHub changes these "from time to time" and advises watching the API: the refresher
 * fetches `feed` for that.
 */
export const GITHUB_PRESET: SourcePreset = Object.freeze({
  source: 'https://api.github.com/meta',
  takenOn: '2026-11-28',
  cidrs: Object.freeze([
    '192.30.252.0/22',
    '185.199.108.0/22',
    '140.82.112.0/20',
    '143.55.64.0/20',
    '9.234.98.160/28',
    '9.234.98.176/28',
    '9.234.106.48/28',
    '2a0a:a440::/29',
    '2606:50c0::/32',
  ]),
  feed: Object.freeze({ url: 'https://api.github.com/meta', key: 'hooks' }),
});
