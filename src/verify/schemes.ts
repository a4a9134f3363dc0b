import type { ProviderName, ProviderScheme } from './types.js';
import { none } from './verify-none.js';
import { gitlab } from './verify-gitlab.js';
import { github } from './verify-github.js';
import { stripe } from './verify-stripe.js';
import { slack } from './verify-slack.js';
import { shopify } from './verify-shopify.js';
import { twilio } from './verify-twilio.js';
import { standard } from './verify-standard.js';
import { discord } from './verify-discord.js';
import { hmac } from './verify-hmac.js';

/**
 * The scheme of every provider. A provider listed in PROVIDERS but missing here is refused by config
 * validation with "not supported yet", so nothing starts with a scheme it cannot check.
 */
export const SCHEMES: Readonly<Partial<Record<ProviderName, ProviderScheme>>> = Object.freeze({
  none,
  gitlab,
  github,
  stripe,
  slack,
  shopify,
  twilio,
  standard,
  discord,
  hmac,
});
