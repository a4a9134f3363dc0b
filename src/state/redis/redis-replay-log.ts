import { randomBytes } from 'node:crypto';
import type { ClaimResult } from '../store.js';
import type { RedisClient } from './create-redis-client.js';
import type { RedisKeyspace } from './redis-keyspace.js';
import { defineScript, type Script } from './define-script.js';

/** The value of a delivery the app accepted; an in-flight claim holds its owner's token. */
export const DONE = 'done';

/**
 * The settles a script carries, applied before the script does its own work (see settle-batcher.ts
 * for why settles ride on other scripts). The script's own keys and arguments come first, in fixed
 * places; each queued settle adds one key (its record) after them and three arguments (owner token,
 * accepted 1/0, done TTL seconds) after the script's own arguments.
 *
 * Per record: accepted, the record becomes done with its TTL, whoever holds it (the app took the
 * delivery; that is the truth to remember; one SET). Not accepted: the claim is released only if it
 * still holds this owner's token: a claim that lapsed and was taken by another replica's retry must
 * not be deleted under it. Compare-and-delete inside the script, no WATCH.
 *
 * `ownKeys` and `ownArgs` are counts, or the names of Lua variables holding them (the admit batch,
 * whose own share varies with the deliveries it carries).
 */
export function settlesFirstLua(ownKeys: number | string, ownArgs: number | string): string {
  return `for i = ${ownKeys} + 1, #KEYS do
  local a = ${ownArgs} - 2 + 3 * (i - ${ownKeys})
  if ARGV[a + 1] == '1' then
    redis.call('set', KEYS[i], '${DONE}', 'EX', ARGV[a + 2])
  elseif redis.call('get', KEYS[i]) == ARGV[a] then
    redis.call('del', KEYS[i])
  end
end
`;
}

/**
 * The replay claim of the record KEYS[key] with owner token ARGV[token] for ARGV[seconds]: SET NX
 * takes a free id (the common case, one command); otherwise the record says done or in flight.
 * `onClaim(code)` makes the script's return statement of a code, 0 claimed, 1 in flight, 2 done.
 * The places are numbers or Lua expressions (`k + 4`).
 */
export function claimLua(key: number | string, token: number | string, seconds: number | string, onClaim: (code: number) => string): string {
  return `if redis.call('set', KEYS[${key}], ARGV[${token}], 'NX', 'EX', ARGV[${seconds}]) then ${onClaim(0)} end
if redis.call('get', KEYS[${key}]) == '${DONE}' then ${onClaim(2)} end
${onClaim(1)}
`;
}

/** KEYS: record, then queued settles. ARGV: claim token, in-flight seconds, then the settles'. */
const CLAIM_LUA = `${settlesFirstLua(1, 2)}${claimLua(1, 1, 2, (code) => `return ${code}`)}`;

/** Queued settles alone, when no other script came along to carry them. */
const SETTLE_BATCH_LUA = `${settlesFirstLua(0, 0)}return #KEYS
`;

const PROCESS_NONCE = randomBytes(16).toString('hex');
let claimCounter = 0;

/** What claimLua's codes mean: 0 claimed, 1 in flight, 2 done. */
export const CLAIM_RESULTS: readonly ClaimResult[] = ['claimed', 'in_flight', 'done'];

/**
 * Replay records shared by every replica: one round trip to claim; settles are queued and carried
 * by the hook's next script (settle-batcher.ts), or sent as a batch of their own.
 */
export class RedisReplayLog {
  private readonly claimScript: Script;
  private readonly settleBatchScript: Script;

  constructor(
    client: RedisClient,
    private readonly keys: RedisKeyspace,
  ) {
    this.claimScript = defineScript(client, 'hookguardClaim', 'variable', CLAIM_LUA);
    this.settleBatchScript = defineScript(client, 'hookguardSettleBatch', 'variable', SETTLE_BATCH_LUA);
  }

  /**
   * A fresh owner token for a claim. It only has to differ from every other claim's: 128 random bits
   * drawn once per process, plus a counter, are unique across replicas and restarts without paying
   * for randomness on every delivery.
   */
  static newClaimToken(): string {
    return `${PROCESS_NONCE}:${(claimCounter++).toString(36)}`;
  }

  /** Claims the delivery, after applying the settles given (keys and arguments as settlesFirstLua). */
  async claim(hook: string, deliveryId: string, claimToken: string, inFlightSeconds: number, settleKeys: readonly string[], settleArgs: readonly (string | number)[]): Promise<ClaimResult> {
    const record = this.keys.replay(hook, deliveryId);
    const reply = await (settleKeys.length === 0
      ? this.claimScript([record], [claimToken, inFlightSeconds])
      : this.claimScript([record, ...settleKeys], [claimToken, inFlightSeconds, ...settleArgs]));
    const result = typeof reply === 'number' ? CLAIM_RESULTS[reply] : undefined;
    if (result === undefined) throw new TypeError(`claim script: unexpected reply ${JSON.stringify(reply)}`);
    return result;
  }

  /** Applies queued settles in one script (on Cluster, of one hook: their keys share its hash tag). */
  async settleBatch(settleKeys: readonly string[], settleArgs: readonly (string | number)[]): Promise<void> {
    await this.settleBatchScript(settleKeys, settleArgs);
  }
}
