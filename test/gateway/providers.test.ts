import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import twilioSdk from 'twilio';
import { startSidecar, secretsDir, type TestSidecar } from '../helpers/sidecar.js';
import { startUpstream } from '../helpers/upstream.js';
import { send } from '../helpers/http-client.js';
import { joinBody } from '../../src/verify/join-body.js';
import type { BodyChunks } from '../../src/verify/types.js';
import { sample, scrape } from '../helpers/metrics.js';
import {
  githubFixture,
  gitlabFixture,
  stripeFixture,
  slackFixture,
  shopifyFixture,
  standardFixture,
  discordFixture,
  hmacTimestampedFixture,
  HMAC_TIMESTAMPED,
  type SchemeFixture,
  type Credential,
} from '../verify/fixtures.js';

/** Each provider end to end through the sidecar, signed by the provider's SDK where one signs. */
const PROVIDERS: { provider: string; fixture: SchemeFixture; extra?: Record<string, unknown>; replays: boolean }[] = [
  { provider: 'github', fixture: githubFixture, replays: true },
  { provider: 'gitlab', fixture: gitlabFixture, replays: true },
  { provider: 'stripe', fixture: stripeFixture, replays: true },
  { provider: 'slack', fixture: slackFixture, replays: false },
  { provider: 'shopify', fixture: shopifyFixture, replays: true },
  { provider: 'standard', fixture: standardFixture, replays: true },
  { provider: 'discord', fixture: discordFixture, replays: false },
  { provider: 'hmac', fixture: hmacTimestampedFixture, extra: { hmac: { ...HMAC_TIMESTAMPED } }, replays: false },
];

const TWILIO_TOKEN = 'tok_twilio_0123456789abcdefghijklmnop';

describe('provider signatures through the sidecar', () => {
  const secrets = secretsDir();
  let app: Awaited<ReturnType<typeof startUpstream>>;
  let sidecar: TestSidecar;
  const credentials = new Map<string, Credential>();
  const twilioAuthToken = 'twilio-auth-token-0123456789abcdef';
  let publicBase: string;

  before(async () => {
    app = await startUpstream();
    for (const p of PROVIDERS) credentials.set(p.provider, p.fixture.credential());
    publicBase = 'https://hooks.example.com';
    sidecar = await startSidecar({
      upstream: app.url,
      hooks: [
        ...PROVIDERS.map((p) => ({
          name: p.provider,
          path: `/hooks/${p.provider}`,
          provider: p.provider,
          // Two active secrets (rotation overlap): another valid one first, then the one that signs.
          secrets: [secrets.secret(p.fixture.credential().setting), secrets.secret(credentials.get(p.provider)!.setting)],
          lockout: false,
          ...p.extra,
        })),
        { name: 'twilio', path: '/hooks/twilio', provider: 'twilio', secrets: [secrets.secret(twilioAuthToken)], token: secrets.secret(TWILIO_TOKEN), publicUrl: `${publicBase}/hooks/twilio`, lockout: false },
      ],
    });
  });

  after(async () => {
    await sidecar.stop();
    await app.close();
    secrets.remove();
  });

  const now = () => Math.floor(Date.now() / 1000);
  const deliver = (provider: string, signed: { headers: Record<string, unknown>; body: BodyChunks }, body = joinBody(signed.body)) =>
    send(`${sidecar.url}/hooks/${provider}`, { headers: { 'content-type': 'application/json', ...(signed.headers as Record<string, string>) }, body });

  for (const p of PROVIDERS) {
    describe(p.provider, () => {
      it('accepts a signed delivery (second of two active secrets) and forwards it marked verified', async () => {
        const signed = await credentials.get(p.provider)!.sign({ body: p.fixture.body, timestamp: now() });
        const answer = await deliver(p.provider, signed);
        assert.equal(answer.status, 200, answer.text);
        const got = app.received.at(-1)!;
        assert.equal(got.headers['hookguard-verified'], p.provider);
        assert.deepEqual(got.body, p.fixture.body);
      });

      if (p.fixture.signsBody) {
        it('refuses the same delivery with one body byte changed (401 signature)', async () => {
          const signed = await credentials.get(p.provider)!.sign({ body: p.fixture.body, timestamp: now() });
          const tampered = Buffer.from(joinBody(signed.body));
          tampered[5] = tampered[5]! ^ 0x01;
          const answer = await deliver(p.provider, signed, tampered);
          assert.equal(answer.status, 401);
        });
      }

      if (p.fixture.timestamped) {
        it('refuses a delivery signed ten minutes ago (401 timestamp)', async () => {
          const before = sample(await scrape(sidecar.adminUrl), 'hookguard_rejections_total', { hook: p.provider, reason: 'timestamp' });
          const signed = await credentials.get(p.provider)!.sign({ body: p.fixture.body, timestamp: now() - 600 });
          assert.equal((await deliver(p.provider, signed)).status, 401);
          assert.equal(sample(await scrape(sidecar.adminUrl), 'hookguard_rejections_total', { hook: p.provider, reason: 'timestamp' }), before + 1);
        });
      }

      if (p.replays) {
        it('answers a replay of an accepted delivery with Hookguard-Duplicate and does not forward it', async () => {
          const signed = await credentials.get(p.provider)!.sign({ body: p.fixture.body, timestamp: now() });
          assert.equal((await deliver(p.provider, signed)).status, 200);
          const count = app.received.length;
          const replay = await deliver(p.provider, signed);
          assert.equal(replay.status, 200);
          assert.equal(replay.headers['hookguard-duplicate'], 'true');
          assert.equal(app.received.length, count);
        });
      }
    });
  }

  describe('twilio behind a URL token', () => {
    const params = { AccountSid: 'AC0000', Body: 'Hi & bye', From: '+14155550100' };
    const body = new URLSearchParams(params).toString();
    it('accepts a form delivery signed over the public URL with the token segment', async () => {
      const signature = twilioSdk.getExpectedTwilioSignature(twilioAuthToken, `${publicBase}/hooks/twilio/${TWILIO_TOKEN}?x=1`, params);
      const answer = await send(`${sidecar.url}/hooks/twilio/${TWILIO_TOKEN}?x=1`, { headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body });
      assert.equal(answer.status, 200, answer.text);
      assert.equal(app.received.at(-1)!.url, '/hooks/twilio?x=1', 'the token never reaches the app');
    });
    it('refuses a signature made over the URL without the token', async () => {
      const signature = twilioSdk.getExpectedTwilioSignature(twilioAuthToken, `${publicBase}/hooks/twilio?x=1`, params);
      const answer = await send(`${sidecar.url}/hooks/twilio/${TWILIO_TOKEN}?x=1`, { headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-twilio-signature': signature }, body });
      assert.equal(answer.status, 401);
    });
  });
});
