import { randomBytes } from 'node:crypto';
import type { ClaimResult } from '../store.js';
import type { RedisClient } from './create-redis-client.js';
import type { RedisKeyspace } from './redis-keyspace.js';
import { defineScript, type Script } from './define-script.js';

/** The value of a delivery the app accepted; an in-flight claim holds its owner's random token. */
const DONE = 'done';

/**
 * KEYS: record. ARGV: claim token, in-flight seconds. SET NX takes a free id (the common case, one
 * command); otherwise the record says done or in flight. Returns 0 claimed, 1 in flight, 2 done.
 */
const CLAIM_LUA = `
if redis.call('set', KEYS[1], ARGV[1], 'NX', 'EX', ARGV[2]) then return 0 end
if redis.call('get', KEYS[1]) == '${DONE}' then return 2 end
return 1
`;

/**
 * KEYS: record. ARGV: claim token, accepted (1/0), done TTL seconds. Accepted: the record becomes
 * done, whoever holds it (the app took the delivery; that is the truth to remember). Not accepted:
 * the claim is released only if it is still this owner's: a claim that expired and was taken by
 * another replica's retry must not be deleted under it. Compare-and-delete in one script, no WATCH.
 */
const SETTLE_LUA = `
if ARGV[2] == '1' then
  redis.call('set', KEYS[1], '${DONE}', 'EX', ARGV[3])
  return 1
end
if redis.call('get', KEYS[1]) == ARGV[1] then
  redis.call('del', KEYS[1])
  return 1
end
return 0
`;

const PROCESS_NONCE = randomBytes(16).toString('hex');
let claimCounter = 0;

const CLAIM_RESULTS: readonly ClaimResult[] = ['claimed', 'in_flight', 'done'];

/** Replay records shared by every replica: one round trip to claim, one to settle. */
export class RedisReplayLog {
  private readonly claimScript: Script;
  private readonly settleScript: Script;

  constructor(
    client: RedisClient,
    private readonly keys: RedisKeyspace,
  ) {
    this.claimScript = defineScript(client, 'hookguardClaim', 1, CLAIM_LUA);
    this.settleScript = defineScript(client, 'hookguardSettle', 1, SETTLE_LUA);
  }

  /**
   * A fresh owner token for a claim. It only has to differ from every other claim's: 128 random bits
   * drawn once per process, plus a counter, are unique across replicas and restarts without paying
   * for randomness on every delivery.
   */
  static newClaimToken(): string {
    return `${PROCESS_NONCE}:${(claimCounter++).toString(36)}`;
  }

  async claim(hook: string, deliveryId: string, claimToken: string, inFlightSeconds: number): Promise<ClaimResult> {
    const reply = await this.claimScript([this.keys.replay(hook, deliveryId)], [claimToken, inFlightSeconds]);
    const result = typeof reply === 'number' ? CLAIM_RESULTS[reply] : undefined;
    if (result === undefined) throw new TypeError(`claim script: unexpected reply ${JSON.stringify(reply)}`);
    return result;
  }

  async settle(hook: string, deliveryId: string, claimToken: string, accepted: boolean, ttlSeconds: number): Promise<void> {
    await this.settleScript([this.keys.replay(hook, deliveryId)], [claimToken, accepted ? 1 : 0, ttlSeconds]);
  }
}
