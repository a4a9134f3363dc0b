import { randomBytes, randomUUID } from 'node:crypto';
import { sign as octokitSign } from '@octokit/webhooks-methods';
import Stripe from 'stripe';
import { Webhook as StandardWebhook } from 'standardwebhooks';

/**
 * The providers the simulator plays, each signing with its own SDK (as test/verify/fixtures.ts
 * does) and retrying on a compressed copy of its real schedule.
 *
 * Compression: one hour of the provider's schedule is 400 ms here (1 : 9000), so a retry budget
 * of days fits in seconds and still outlasts every fault the suites inject (a few seconds).
 */
export type ProviderName = 'github' | 'stripe' | 'standard';

/**
 * How a forged delivery is wrong. Every kind must be refused before the app sees a byte.
 * `retired-secret`: correctly signed with a secret the config no longer lists (after a rotation).
 */
export type ForgeryKind = 'wrong-secret' | 'tampered-body' | 'stale-timestamp' | 'unsigned' | 'retired-secret';
export const FORGERY_KINDS: readonly ForgeryKind[] = ['wrong-secret', 'tampered-body', 'stale-timestamp', 'unsigned'];

export interface ProviderKind {
  readonly name: ProviderName;
  /** The hook's path on the sidecar (and on the app: upstreamPath defaults to it). */
  readonly path: string;
  /** Delays before each retry, in ms after the failed attempt; empty: the provider never retries. */
  readonly retryDelaysMs: readonly number[];
  /** How the provider itself names its schedule (for docs and the printed summary). */
  readonly scheduleSource: string;
  newSecret(): string;
  /** A fresh delivery id in the provider's format; `tag` keeps ids of different runs apart. */
  newId(tag: string, n: number): string;
  /** The body: the id first, where Stripe puts it, so every app-side record can read it back. */
  body(id: string): Buffer;
  /** The headers of one attempt; timestamped schemes sign each attempt afresh, as providers do. */
  sign(secret: string, id: string, body: Buffer, nowSeconds: number): Promise<Record<string, string>>;
}

const COMPRESSION = 400 / 3600;
/** Seconds of the real schedule to ms here. */
const compressed = (seconds: number) => Math.max(1, Math.round(seconds * COMPRESSION));
const HOUR = 3600;

const stripeSdk = new Stripe('sk_test_hookguard_chaos');

const json = (value: Record<string, unknown>) => Buffer.from(JSON.stringify(value), 'utf8');

export const github: ProviderKind = {
  name: 'github',
  path: '/hooks/github',
  // "GitHub does not automatically redeliver failed deliveries" (docs.github.com, "Handling failed
  // webhook deliveries"): one attempt, then a human may press Redeliver.
  retryDelaysMs: [],
  scheduleSource: 'GitHub: no automatic retry',
  newSecret: () => randomBytes(20).toString('hex'),
  newId: (tag, n) => `${randomUUID()}-${tag}-${n}`,
  body: (id) => json({ id, zen: 'Keep it logically awesome.', hook_id: 4242, padding: 'x'.repeat(200) }),
  async sign(secret, id, body) {
    return {
      'content-type': 'application/json',
      'user-agent': 'GitHub-Hookshot/chaos',
      'x-github-event': 'push',
      'x-github-delivery': id,
      'x-github-hook-id': '4242',
      'x-hub-signature-256': await octokitSign(secret, body.toString('utf8')),
    };
  },
};

export const stripe: ProviderKind = {
  name: 'stripe',
  path: '/hooks/stripe',
  // Stripe: "in live mode, up to three days with an exponential back off"; the intervals are not
  // published. Modelled as 5 min, 30 min, 2 h, 4 h, 8 h, 16 h, then daily to 72 h after the first.
  retryDelaysMs: [5 * 60, 25 * 60, 1.5 * HOUR, 2 * HOUR, 4 * HOUR, 8 * HOUR, 8 * HOUR, 24 * HOUR, 24 * HOUR].map(compressed),
  scheduleSource: 'Stripe: exponential back-off for up to 3 days (modelled)',
  newSecret: () => `whsec_${randomBytes(24).toString('base64')}`,
  newId: (tag, n) => `evt_${tag}_${n}_${randomBytes(6).toString('hex')}`,
  body: (id) => json({ id, object: 'event', type: 'invoice.paid', api_version: '2024-06-20', data: { object: { id: `in_${id}`, amount_paid: 4200 } } }),
  async sign(secret, _id, body, nowSeconds) {
    return {
      'content-type': 'application/json; charset=utf-8',
      'user-agent': 'Stripe/1.0 (+https://stripe.com/docs/webhooks)',
      'stripe-signature': stripeSdk.webhooks.generateTestHeaderString({ payload: body.toString('utf8'), secret, timestamp: nowSeconds }),
    };
  },
};

export const standard: ProviderKind = {
  name: 'standard',
  path: '/hooks/standard',
  // The Standard Webhooks / Svix schedule: immediately, then 5 s, 5 min, 30 min, 2 h, 5 h, 10 h,
  // 10 h, each counted from the failure of the attempt before.
  retryDelaysMs: [5, 5 * 60, 30 * 60, 2 * HOUR, 5 * HOUR, 10 * HOUR, 10 * HOUR].map(compressed),
  scheduleSource: 'Standard Webhooks (Svix): 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h',
  newSecret: () => `whsec_${randomBytes(24).toString('base64')}`,
  newId: (tag, n) => `msg_${tag}_${n}_${randomBytes(6).toString('hex')}`,
  body: (id) => json({ id, type: 'user.created', timestamp: new Date().toISOString(), data: { user: `u_${id}` } }),
  async sign(secret, id, body, nowSeconds) {
    return {
      'content-type': 'application/json',
      'user-agent': 'Svix-Webhooks/1.0 (chaos)',
      'webhook-id': id,
      'webhook-timestamp': String(nowSeconds),
      'webhook-signature': new StandardWebhook(secret).sign(id, new Date(nowSeconds * 1000), body.toString('utf8')),
    };
  },
};

export const PROVIDERS: readonly ProviderKind[] = [github, stripe, standard];

/**
 * Signs a forgery of `kind`: a request that looks like the provider's but must be refused. The
 * body always carries the forged id, so the app would show it if one ever got through.
 */
export async function forge(provider: ProviderKind, kind: ForgeryKind, secret: string, id: string, nowSeconds: number): Promise<{ headers: Record<string, string>; body: Buffer }> {
  const body = provider.body(id);
  switch (kind) {
    case 'retired-secret':
      return { headers: await provider.sign(secret, id, body, nowSeconds), body };
    case 'wrong-secret':
      return { headers: await provider.sign(provider.newSecret(), id, body, nowSeconds), body };
    case 'tampered-body': {
      // A genuine signature over a different body: what an attacker who captured one delivery has.
      const headers = await provider.sign(secret, id, provider.body(`${id}-original`), nowSeconds);
      return { headers, body };
    }
    case 'stale-timestamp': {
      // GitHub signs no time: its stale replay is a stale body signed with a wrong secret instead.
      const seconds = provider.name === 'github' ? nowSeconds : nowSeconds - 3600;
      const headers = await provider.sign(provider.name === 'github' ? provider.newSecret() : secret, id, body, seconds);
      return { headers, body };
    }
    case 'unsigned': {
      const headers = await provider.sign(secret, id, body, nowSeconds);
      delete headers['x-hub-signature-256'];
      delete headers['stripe-signature'];
      delete headers['webhook-signature'];
      return { headers, body };
    }
  }
}
