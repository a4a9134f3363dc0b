import { hash } from 'node:crypto';

export interface TokenRecord {
  /** Hex SHA-256 of the token: what is stored and shared, never the token. */
  readonly hash: string;
  /** Epoch ms; 0 for no expiry. */
  readonly expiresAt: number;
  readonly createdAt: number;
}

/** One-shot `crypto.hash` (no Hash object): a third of createHash's cost, and it runs per request. */
export function hashToken(token: string): string {
  return hash('sha256', token, 'hex');
}

/** The id users see: the first 8 hex characters of the hash. */
export function tokenId(hash: string): string {
  return hash.slice(0, 8);
}

/**
 * The valid URL tokens of one hook, answered from memory (no I/O on the request path).
 *
 * The candidate is hashed and the hash looked up. A lookup's timing can only depend on the hash of
 * the attacker's own guess, which tells nothing about a valid token, so this is as safe as a
 * constant-time compare and stays O(1) with thousands of tokens.
 */
export class TokenSet {
  private readonly records = new Map<string, TokenRecord>();

  constructor(records: Iterable<TokenRecord> = [], private readonly now: () => number = Date.now) {
    for (const record of records) this.records.set(record.hash, record);
  }

  get size(): number {
    return this.records.size;
  }

  has(candidate: string): boolean {
    if (candidate.length === 0 || candidate.length > 256) return false;
    const record = this.records.get(hashToken(candidate));
    // Each replica stops honouring a token at its expiry by itself, without waiting for Redis.
    return record !== undefined && (record.expiresAt === 0 || record.expiresAt > this.now());
  }

  list(): TokenRecord[] {
    return [...this.records.values()];
  }
}
