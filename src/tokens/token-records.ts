import type { TokenRecord } from '../state/token-set.js';

/**
 * How a token record is kept in Redis: hash field = hex SHA-256 of the token, value =
 * `createdAt:expiresAt` in epoch ms (0 = no expiry). Never the token itself. The Lua scripts of
 * rotate and revoke read the same format.
 */
export function encodeTokenRecord(record: Pick<TokenRecord, 'createdAt' | 'expiresAt'>): string {
  return `${record.createdAt}:${record.expiresAt}`;
}

const HASH = /^[0-9a-f]{64}$/;
const VALUE = /^(\d+):(\d+)$/;

/** Reads HGETALL's answer, oldest first; a field that is not a record of ours is left out. */
export function decodeTokenRecords(fields: Record<string, string>): TokenRecord[] {
  const records: TokenRecord[] = [];
  for (const [hash, value] of Object.entries(fields)) {
    const match = VALUE.exec(value);
    if (!HASH.test(hash) || !match) continue;
    records.push({ hash, createdAt: Number(match[1]), expiresAt: Number(match[2]) });
  }
  return records.sort((a, b) => a.createdAt - b.createdAt || a.hash.localeCompare(b.hash));
}
