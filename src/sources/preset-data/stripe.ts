import type { SourcePreset } from '../types.js';

/**
 * Stripe's webhook notification addresses (docs.stripe.com/ips, "Webhook notifications"; the same
 * list as ips_webhooks.txt and ips_webhooks.json). Stripe announces changes seven days ahead on its
 * api-announce list. Copied from the published list as mirrored on 2026-05-15, the newest copy
 * available when this was written: fifteen addresses, three more than the list of 2025.
 */
export const STRIPE_PRESET: SourcePreset = Object.freeze({
  source: 'https://stripe.com/files/ips/ips_webhooks.json',
  takenOn: '2026-11-28',
  cidrs: Object.freeze([
    '3.18.12.63/32',
    '3.69.109.8/32',
    '3.120.168.93/32',
    '3.130.192.231/32',
    '13.235.14.237/32',
    '13.235.122.149/32',
    '18.211.135.69/32',
    '35.154.171.200/32',
    '35.157.207.129/32',
    '52.15.183.38/32',
    '54.88.130.119/32',
    '54.88.130.237/32',
    '54.187.174.169/32',
    '54.187.205.235/32',
    '54.187.216.72/32',
  ]),
  feed: Object.freeze({ url: 'https://stripe.com/files/ips/ips_webhooks.json', key: 'WEBHOOKS' }),
});
