import type { ProviderName } from './types.js';

/**
 * What each provider's deliveries carry in User-Agent, as a pattern. A User-Agent proves nothing
 * (anyone can send any), so a mismatch is only a hint: it is logged as suspicious, and refused only
 * when a hook asks for it (`userAgent: {reject: true}`). Sources: GitHub "Webhook events and
 * payloads" (User-Agent begins with GitHub-Hookshot/); Stripe sends "Stripe/1.0
 * (+https://stripe.com/docs/webhooks)"; GitLab "GitLab/<version>"; Shopify "Shopify-Captain-Hook";
 * Slack "Slackbot 1.0 (+https://api.slack.com/robots)"; Twilio "TwilioProxy/1.1"; Discord
 * "Discord-Interactions/1.0". Standard Webhooks senders and generic HMAC senders vary: no default.
 */
export const EXPECTED_USER_AGENTS: Readonly<Partial<Record<ProviderName, RegExp>>> = Object.freeze({
  github: /^GitHub-Hookshot\//,
  stripe: /^Stripe\//,
  gitlab: /^GitLab\//,
  shopify: /^Shopify-Captain-Hook/,
  slack: /^Slackbot /,
  twilio: /^TwilioProxy\//,
  discord: /^Discord-Interactions\//,
});
