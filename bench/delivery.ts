import { createHmac, randomBytes } from 'node:crypto';

/** The webhook secret every benchmark hook shares (a throwaway value, written to a temp file). */
export const BENCH_SECRET = 'bench-github-secret-not-for-production';

/** A JSON body of exactly `bytes` bytes, shaped like a small GitHub event. */
export function deliveryBody(bytes: number): Buffer {
  const head = '{"action":"opened","zen":"Keep it logically awesome.","hook_id":1,"padding":"';
  const tail = '"}';
  const padding = Math.max(0, bytes - head.length - tail.length);
  const body = Buffer.from(`${head}${'x'.repeat(padding)}${tail}`);
  if (body.length !== bytes) throw new RangeError(`deliveryBody: cannot make ${bytes} bytes`);
  return body;
}

/**
 * The headers of a GitHub delivery of `body`: a valid X-Hub-Signature-256 (HMAC-SHA256 of the raw
 * body), the event and the User-Agent GitHub sends. GitHub signs the body only, so one signature
 * serves every request of a run; X-GitHub-Delivery, which replay protection keys on, is added per
 * request by the load generator.
 */
export function githubHeaders(body: Buffer): Record<string, string> {
  return {
    'Content-Type': 'application/json',
    'User-Agent': 'GitHub-Hookshot/bench',
    'X-GitHub-Event': 'push',
    'X-Hub-Signature-256': `sha256=${createHmac('sha256', BENCH_SECRET).update(body).digest('hex')}`,
  };
}

export const DELIVERY_HEADER = 'X-GitHub-Delivery';

/** A URL token as `hookguard tokens rotate` makes them: 43 URL-safe characters. */
export function urlToken(): string {
  return randomBytes(32).toString('base64url');
}
