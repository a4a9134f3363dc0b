import type { SourcePreset } from '../types.js';

/**
 * Svix's static source addresses, per region (docs.svix.com/receiving/source-ips, also served as
 * webhook-ips.json keyed by region). For `standard` hooks whose sender is Svix. Svix notes static
 * source IPs are not guaranteed on every pricing tier; the Australia, Canada and India regions are
 * private regions.
 */
const SOURCE = 'https://docs.svix.com/receiving/source-ips';
const FEED_URL = 'https://docs.svix.com/webhook-ips.json';
const TAKEN_ON = '2026-11-28';

export const SVIX_PRESETS: Readonly<Record<string, SourcePreset>> = Object.freeze({
  'svix-us': Object.freeze({
    source: SOURCE,
    takenOn: TAKEN_ON,
    cidrs: Object.freeze(['44.228.126.217/32', '50.112.21.217/32', '52.24.126.164/32', '54.148.139.208/32', '2600:1f24:64:8000::/56']),
    feed: Object.freeze({ url: FEED_URL, key: 'us' }),
  }),
  'svix-eu': Object.freeze({
    source: SOURCE,
    takenOn: TAKEN_ON,
    cidrs: Object.freeze(['52.215.16.239/32', '54.216.8.72/32', '63.33.109.123/32', '2a05:d028:17:8000::/56']),
    feed: Object.freeze({ url: FEED_URL, key: 'eu' }),
  }),
  'svix-au': Object.freeze({
    source: SOURCE,
    takenOn: TAKEN_ON,
    cidrs: Object.freeze(['13.239.204.236/32', '54.66.246.217/32', '54.252.65.96/32', '2406:da2c:13:4000::/56']),
    feed: Object.freeze({ url: FEED_URL, key: 'au' }),
  }),
  'svix-ca': Object.freeze({
    source: SOURCE,
    takenOn: TAKEN_ON,
    cidrs: Object.freeze(['52.60.44.49/32', '3.98.68.230/32', '3.96.105.27/32', '2600:1f21:1c:4000::/56']),
    feed: Object.freeze({ url: FEED_URL, key: 'ca' }),
  }),
  'svix-in': Object.freeze({
    source: SOURCE,
    takenOn: TAKEN_ON,
    cidrs: Object.freeze(['13.126.41.108/32', '15.207.218.84/32', '65.2.133.31/32']),
    feed: Object.freeze({ url: FEED_URL, key: 'in' }),
  }),
});
