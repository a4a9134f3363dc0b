import { createHmac, generateKeyPairSync, randomBytes, randomUUID, sign as signEd25519 } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { sign as octokitSign } from '@octokit/webhooks-methods';
import Stripe from 'stripe';
import { Webhook as StandardWebhook } from 'standardwebhooks';
import { Webhook as SvixWebhook } from 'svix';
import twilioSdk from 'twilio';
import type { BodyChunks, HmacSettings, ProviderScheme, SchemeSettings, SignedRequest } from '../../src/verify/types.js';
import { github } from '../../src/verify/verify-github.js';
import { gitlab } from '../../src/verify/verify-gitlab.js';
import { stripe } from '../../src/verify/verify-stripe.js';
import { slack } from '../../src/verify/verify-slack.js';
import { shopify } from '../../src/verify/verify-shopify.js';
import { twilio } from '../../src/verify/verify-twilio.js';
import { standard } from '../../src/verify/verify-standard.js';
import { discord } from '../../src/verify/verify-discord.js';
import { hmac } from '../../src/verify/verify-hmac.js';

/** The clock every fixture signs and verifies at, unless a test says otherwise. */
export const NOW = 1_800_000_000;
export const TOLERANCE = 300;

export interface SignInput {
  readonly body: Buffer;
  readonly timestamp: number;
}

/** One active secret: what goes in the settings, and how the provider would sign with it. */
export interface Credential {
  readonly setting: string;
  sign(input: SignInput): Promise<SignedRequest>;
}

export interface SchemeFixture {
  readonly name: string;
  readonly scheme: ProviderScheme;
  /** Who makes the signatures: the provider's SDK where one signs, else node:crypto by the documented rule. */
  readonly signer: string;
  readonly signatureHeader: string;
  /** The header carrying the signed time, when it is separate from the signature header. */
  readonly timestampHeader?: string;
  readonly timestamped: boolean;
  /** False for token schemes (gitlab): the body is not covered, only the shared token. */
  readonly signsBody: boolean;
  /** Every header the scheme reads, for the never-throws property. */
  readonly headerNames: readonly string[];
  readonly body: Buffer;
  credential(): Credential;
  settings(secrets: readonly string[]): SchemeSettings;
  /** The request with its timestamp written as `text` (Stripe keeps it inside the signature header). */
  withTimestampText?(request: SignedRequest, text: string): SignedRequest;
}

const JSON_BODY = Buffer.from('{"id":"evt_1NfLVZ2eZvKYlo2C","object":"event","type":"ping","data":{"n":1,"text":"héllo"}}', 'utf8');

export function request(headers: IncomingHttpHeaders, body: Buffer, url = '/hooks/test'): SignedRequest {
  return { headers, body: [body], url };
}

export function withHeader(base: SignedRequest, name: string, value: string | string[] | undefined): SignedRequest {
  const headers: IncomingHttpHeaders = { ...base.headers };
  if (value === undefined) delete headers[name];
  else headers[name] = value;
  return { ...base, headers };
}

/** The request with another body: one buffer (one chunk), or the chunks themselves. */
export function withBody(base: SignedRequest, body: Buffer | BodyChunks): SignedRequest {
  return { ...base, body: Buffer.isBuffer(body) ? [body] : body };
}

function baseSettings(secrets: readonly string[]): SchemeSettings {
  return { secrets, toleranceSeconds: TOLERANCE };
}

const hex = (bytes: number) => randomBytes(bytes).toString('hex');
const stripeSdk = new Stripe('sk_test_hookguard');

export const githubFixture: SchemeFixture = {
  name: 'github',
  scheme: github,
  signer: '@octokit/webhooks-methods sign',
  signatureHeader: 'x-hub-signature-256',
  timestamped: false,
  signsBody: true,
  headerNames: ['x-hub-signature-256', 'x-hub-signature', 'x-github-delivery', 'x-github-hook-id'],
  body: JSON_BODY,
  credential() {
    const secret = hex(20);
    return {
      setting: secret,
      async sign({ body }) {
        return request(
          {
            'content-type': 'application/json',
            'x-hub-signature-256': await octokitSign(secret, body.toString('utf8')),
            'x-github-delivery': randomUUID(),
            'x-github-hook-id': '4242',
          },
          body,
        );
      },
    };
  },
  settings: baseSettings,
};

export const gitlabFixture: SchemeFixture = {
  name: 'gitlab',
  scheme: gitlab,
  signer: 'the shared token itself (GitLab signs nothing)',
  signatureHeader: 'x-gitlab-token',
  timestamped: false,
  signsBody: false,
  headerNames: ['x-gitlab-token', 'idempotency-key', 'x-gitlab-event-uuid'],
  body: JSON_BODY,
  credential() {
    const secret = hex(20);
    return {
      setting: secret,
      async sign({ body }) {
        return request({ 'x-gitlab-token': secret, 'idempotency-key': randomUUID(), 'x-gitlab-event-uuid': randomUUID() }, body);
      },
    };
  },
  settings: baseSettings,
};

export const stripeFixture: SchemeFixture = {
  name: 'stripe',
  scheme: stripe,
  signer: 'stripe.webhooks.generateTestHeaderString',
  signatureHeader: 'stripe-signature',
  timestamped: true,
  signsBody: true,
  headerNames: ['stripe-signature'],
  body: JSON_BODY,
  credential() {
    const secret = `whsec_${randomBytes(24).toString('base64')}`;
    return {
      setting: secret,
      async sign({ body, timestamp }) {
        const header = stripeSdk.webhooks.generateTestHeaderString({ payload: body.toString('utf8'), secret, timestamp });
        return request({ 'content-type': 'application/json', 'stripe-signature': header }, body);
      },
    };
  },
  settings: baseSettings,
  withTimestampText(base, text) {
    const header = String(base.headers['stripe-signature']);
    return withHeader(base, 'stripe-signature', header.replace(/^t=[^,]*/, `t=${text}`));
  },
};

/** Slack's documented rule, by node:crypto: no Slack SDK is a devDependency. */
export function slackSignature(secret: string, timestamp: string, body: Buffer): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(body).digest('hex')}`;
}

export const slackFixture: SchemeFixture = {
  name: 'slack',
  scheme: slack,
  signer: "node:crypto by Slack's documented rule (no Slack SDK installed)",
  signatureHeader: 'x-slack-signature',
  timestampHeader: 'x-slack-request-timestamp',
  timestamped: true,
  signsBody: true,
  headerNames: ['x-slack-signature', 'x-slack-request-timestamp'],
  body: Buffer.from('token=gIkuvaNzQIHg97ATvDxqgjtO&team_id=T0001&command=%2Fweather&text=94070', 'utf8'),
  credential() {
    const secret = hex(16);
    return {
      setting: secret,
      async sign({ body, timestamp }) {
        return request(
          {
            'content-type': 'application/x-www-form-urlencoded',
            'x-slack-request-timestamp': String(timestamp),
            'x-slack-signature': slackSignature(secret, String(timestamp), body),
          },
          body,
        );
      },
    };
  },
  settings: baseSettings,
  withTimestampText: (base, text) => withHeader(base, 'x-slack-request-timestamp', text),
};

export const shopifyFixture: SchemeFixture = {
  name: 'shopify',
  scheme: shopify,
  signer: "node:crypto by Shopify's documented rule (no Shopify SDK installed)",
  signatureHeader: 'x-shopify-hmac-sha256',
  timestamped: false,
  signsBody: true,
  headerNames: ['x-shopify-hmac-sha256', 'x-shopify-webhook-id', 'x-shopify-event-id'],
  body: JSON_BODY,
  credential() {
    const secret = hex(16);
    return {
      setting: secret,
      async sign({ body }) {
        return request(
          {
            'content-type': 'application/json',
            'x-shopify-hmac-sha256': createHmac('sha256', secret).update(body).digest('base64'),
            'x-shopify-webhook-id': randomUUID(),
            'x-shopify-event-id': randomUUID(),
          },
          body,
        );
      },
    };
  },
  settings: baseSettings,
};

export const TWILIO_PUBLIC_URL = 'https://hooks.example.com/hooks/twilio';
const TWILIO_PATH = '/hooks/twilio';

function twilioSettings(secrets: readonly string[]): SchemeSettings {
  return { secrets, toleranceSeconds: TOLERANCE, publicUrl: TWILIO_PUBLIC_URL };
}

/** JSON bodies: Twilio puts bodySHA256 in the query and signs the URL alone. */
export const twilioJsonFixture: SchemeFixture = {
  name: 'twilio (JSON body, bodySHA256)',
  scheme: twilio,
  signer: 'twilio getExpectedTwilioSignature + getExpectedBodyHash',
  signatureHeader: 'x-twilio-signature',
  timestamped: false,
  signsBody: true,
  headerNames: ['x-twilio-signature', 'x-twilio-webhooks-signature-settings', 'i-twilio-idempotency-token', 'content-type'],
  body: JSON_BODY,
  credential() {
    const token = hex(16);
    return {
      setting: token,
      async sign({ body }) {
        const query = `?callId=abc&bodySHA256=${twilioSdk.getExpectedBodyHash(body.toString('utf8'))}`;
        const signature = twilioSdk.getExpectedTwilioSignature(token, TWILIO_PUBLIC_URL + query, {});
        return request(
          { 'content-type': 'application/json', 'x-twilio-signature': signature, 'i-twilio-idempotency-token': randomUUID() },
          body,
          TWILIO_PATH + query,
        );
      },
    };
  },
  settings: twilioSettings,
};

export const TWILIO_FORM_PARAMS: Readonly<Record<string, string>> = {
  AccountSid: 'AC00000000000000000000000000000000',
  Body: 'Hello & welcome, 100% = ok',
  From: '+14155550100',
  MessageSid: 'SM00000000000000000000000000000000',
  To: '+14155550199',
};

/** Form bodies: Twilio signs the URL followed by the sorted parameters. */
export const twilioFormFixture: SchemeFixture = {
  name: 'twilio (form body)',
  scheme: twilio,
  signer: 'twilio getExpectedTwilioSignature',
  signatureHeader: 'x-twilio-signature',
  timestamped: false,
  signsBody: true,
  headerNames: ['x-twilio-signature', 'x-twilio-webhooks-signature-settings', 'i-twilio-idempotency-token', 'content-type'],
  body: Buffer.from(new URLSearchParams(TWILIO_FORM_PARAMS).toString(), 'utf8'),
  credential() {
    const token = hex(16);
    return {
      setting: token,
      async sign({ body }) {
        const params = Object.fromEntries(new URLSearchParams(body.toString('utf8')));
        const query = '?tenant=acme';
        const signature = twilioSdk.getExpectedTwilioSignature(token, TWILIO_PUBLIC_URL + query, params);
        return request(
          { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature, 'i-twilio-idempotency-token': randomUUID() },
          body,
          TWILIO_PATH + query,
        );
      },
    };
  },
  settings: twilioSettings,
};

function standardSecret(): string {
  return `whsec_${randomBytes(24).toString('base64')}`;
}

export const standardFixture: SchemeFixture = {
  name: 'standard',
  scheme: standard,
  signer: 'standardwebhooks Webhook#sign',
  signatureHeader: 'webhook-signature',
  timestampHeader: 'webhook-timestamp',
  timestamped: true,
  signsBody: true,
  headerNames: ['webhook-id', 'webhook-timestamp', 'webhook-signature', 'svix-id', 'svix-timestamp', 'svix-signature'],
  body: JSON_BODY,
  credential() {
    const secret = standardSecret();
    return {
      setting: secret,
      async sign({ body, timestamp }) {
        const id = `msg_${hex(12)}`;
        const signature = new StandardWebhook(secret).sign(id, new Date(timestamp * 1000), body.toString('utf8'));
        return request({ 'content-type': 'application/json', 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': signature }, body);
      },
    };
  },
  settings: baseSettings,
  withTimestampText: (base, text) => withHeader(base, 'webhook-timestamp', text),
};

/** Svix sends the same scheme under svix-* names unless white-labelled. */
export const svixFixture: SchemeFixture = {
  ...standardFixture,
  name: 'standard (svix-* headers)',
  signer: 'svix Webhook#sign',
  signatureHeader: 'svix-signature',
  timestampHeader: 'svix-timestamp',
  credential() {
    const secret = standardSecret();
    return {
      setting: secret,
      async sign({ body, timestamp }) {
        const id = `msg_${hex(12)}`;
        const signature = new SvixWebhook(secret).sign(id, new Date(timestamp * 1000), body.toString('utf8'));
        return request({ 'content-type': 'application/json', 'svix-id': id, 'svix-timestamp': String(timestamp), 'svix-signature': signature }, body);
      },
    };
  },
  withTimestampText: (base, text) => withHeader(base, 'svix-timestamp', text),
};

/** The raw 32-byte Ed25519 public key, hex, as Discord shows it. */
export function rawPublicKeyHex(publicKey: Buffer): string {
  return Buffer.from(publicKey).subarray(-32).toString('hex');
}

export const discordFixture: SchemeFixture = {
  name: 'discord',
  scheme: discord,
  signer: 'node:crypto Ed25519 (no Discord SDK installed)',
  signatureHeader: 'x-signature-ed25519',
  timestampHeader: 'x-signature-timestamp',
  timestamped: true,
  signsBody: true,
  headerNames: ['x-signature-ed25519', 'x-signature-timestamp'],
  body: Buffer.from('{"type":1,"id":"1234","application_id":"5678"}', 'utf8'),
  credential() {
    const { publicKey, privateKey } = generateKeyPairSync('ed25519');
    return {
      setting: rawPublicKeyHex(publicKey.export({ type: 'spki', format: 'der' })),
      async sign({ body, timestamp }) {
        const signature = signEd25519(null, Buffer.concat([Buffer.from(String(timestamp)), body]), privateKey).toString('hex');
        return request({ 'content-type': 'application/json', 'x-signature-ed25519': signature, 'x-signature-timestamp': String(timestamp) }, body);
      },
    };
  },
  settings: baseSettings,
  withTimestampText: (base, text) => withHeader(base, 'x-signature-timestamp', text),
};

export const HMAC_TIMESTAMPED: HmacSettings = {
  header: 'x-acme-signature',
  algorithm: 'sha512',
  encoding: 'base64',
  prefix: 'sha512=',
  timestampHeader: 'x-acme-timestamp',
  payload: '{timestamp}:{body}',
};

export const hmacTimestampedFixture: SchemeFixture = {
  name: 'hmac (sha512, base64, timestamp)',
  scheme: hmac,
  signer: 'node:crypto by the configured template (generic scheme: no SDK)',
  signatureHeader: 'x-acme-signature',
  timestampHeader: 'x-acme-timestamp',
  timestamped: true,
  signsBody: true,
  headerNames: ['x-acme-signature', 'x-acme-timestamp'],
  body: JSON_BODY,
  credential() {
    const secret = hex(16);
    return {
      setting: secret,
      async sign({ body, timestamp }) {
        const digest = createHmac('sha512', secret).update(`${timestamp}:`).update(body).digest('base64');
        return request({ 'x-acme-signature': `sha512=${digest}`, 'x-acme-timestamp': String(timestamp) }, body);
      },
    };
  },
  settings: (secrets) => ({ secrets, toleranceSeconds: TOLERANCE, hmac: HMAC_TIMESTAMPED }),
  withTimestampText: (base, text) => withHeader(base, 'x-acme-timestamp', text),
};

export const HMAC_PLAIN: HmacSettings = { header: 'x-signature', algorithm: 'sha1', encoding: 'hex', prefix: '', payload: '{body}' };

export const hmacPlainFixture: SchemeFixture = {
  name: 'hmac (sha1, hex, no timestamp)',
  scheme: hmac,
  signer: 'node:crypto by the configured template (generic scheme: no SDK)',
  signatureHeader: 'x-signature',
  timestamped: false,
  signsBody: true,
  headerNames: ['x-signature'],
  body: JSON_BODY,
  credential() {
    const secret = hex(16);
    return {
      setting: secret,
      async sign({ body }) {
        return request({ 'x-signature': createHmac('sha1', secret).update(body).digest('hex') }, body);
      },
    };
  },
  settings: (secrets) => ({ secrets, toleranceSeconds: TOLERANCE, hmac: HMAC_PLAIN }),
};

export const ALL_FIXTURES: readonly SchemeFixture[] = [
  githubFixture,
  gitlabFixture,
  stripeFixture,
  slackFixture,
  shopifyFixture,
  twilioJsonFixture,
  twilioFormFixture,
  standardFixture,
  svixFixture,
  discordFixture,
  hmacTimestampedFixture,
  hmacPlainFixture,
];
