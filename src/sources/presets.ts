import type { SourcePreset } from './types.js';
import { GITHUB_PRESET } from './preset-data/github.js';
import { STRIPE_PRESET } from './preset-data/stripe.js';
import { GITLAB_PRESET } from './preset-data/gitlab.js';
import { SVIX_PRESETS } from './preset-data/svix.js';

/**
 * The names `sources` accepts besides CIDRs: providers that publish where their webhooks come
 * from. Shopify, Twilio, Slack and Discord publish no such list (they send from addresses that
 * change and point to signature verification instead), so they have no preset: a made-up list
 * would block real deliveries or admit others.
 */
export const SOURCE_PRESETS: Readonly<Record<string, SourcePreset>> = Object.freeze({
  github: GITHUB_PRESET,
  stripe: STRIPE_PRESET,
  gitlab: GITLAB_PRESET,
  ...SVIX_PRESETS,
});
