import { connect } from 'node:net';
import type { Redis } from 'ioredis';

/** Calls per command from INFO commandstats (`cmdstat_evalsha:calls=12,...`). */
export async function commandCalls(client: Redis): Promise<Map<string, number>> {
  const info = await client.info('commandstats');
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(match[1]!, Number(match[2]));
  return calls;
}

/** The bench's own commands, left out of every count. */
const BENCH_COMMANDS = new Set(['info', 'monitor', 'flushall', 'flushdb', 'config|resetstat']);

/**
 * Commands Redis executed between two snapshots, the bench's own left out. Commands a Lua script
 * runs (redis.call) are counted by Redis as commands of their own besides the EVALSHA: this is all
 * the work Redis did, not what clients sent (that is `probeRoundTrips`).
 */
export function commandsBetween(before: Map<string, number>, after: Map<string, number>): { total: number; byCommand: Record<string, number> } {
  const byCommand: Record<string, number> = {};
  let total = 0;
  for (const [command, calls] of after) {
    if (BENCH_COMMANDS.has(command)) continue;
    const delta = calls - (before.get(command) ?? 0);
    if (delta <= 0) continue;
    byCommand[command] = delta;
    total += delta;
  }
  return { total, byCommand };
}

export interface RoundTripCount {
  /** Commands clients sent, a MULTI ... EXEC block counted once. */
  readonly roundTrips: number;
  /** Commands run inside scripts (MONITOR source `lua`). */
  readonly scriptCommands: number;
  readonly byCommand: Record<string, number>;
}

/**
 * Counts client round trips with MONITOR while `during` runs. MONITOR shows every command with its
 * source: a client address for what a client sent, `lua` for what a script ran. A client round
 * trip here is one command a client sent, or one MULTI ... EXEC block. Commands a client pipelines
 * without MULTI cannot be told apart from separate round trips, so the count is an upper bound; it
 * is exact for hookguard's store, which sends one EVALSHA per operation and awaits each.
 * MONITOR slows Redis down, which is why it runs in its own low-rate probe, never in a measured
 * window. A plain socket, not ioredis's monitor(): the protocol is one status line per command.
 */
export async function probeRoundTrips(port: number, during: () => Promise<void>): Promise<RoundTripCount> {
  let roundTrips = 0;
  let scriptCommands = 0;
  const byCommand: Record<string, number> = {};
  const inMulti = new Set<string>();
  const onLine = (line: string): void => {
    // +1700000000.123456 [0 127.0.0.1:54321] "evalsha" "..."   or   [0 lua] "set" ...
    const match = /^\+\d+\.\d+ \[\d+ ([^\]]+)\] "([^"]*)"/.exec(line);
    if (!match) return;
    const source = match[1]!;
    const command = match[2]!.toLowerCase();
    if (source === 'lua') {
      scriptCommands++;
      return;
    }
    if (inMulti.has(source)) {
      if (command === 'exec' || command === 'discard') inMulti.delete(source);
      return;
    }
    if (command === 'multi') inMulti.add(source);
    byCommand[command] = (byCommand[command] ?? 0) + 1;
    roundTrips++;
  };
  const socket = connect({ host: '127.0.0.1', port });
  socket.setEncoding('utf8');
  let rest = '';
  socket.on('data', (chunk: string) => {
    const lines = (rest + chunk).split('\r\n');
    rest = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  });
  socket.on('error', () => {});
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('error', reject);
  });
  socket.write('MONITOR\r\n');
  try {
    await new Promise((resolve) => setTimeout(resolve, 50));
    await during();
    // MONITOR lines may trail the last answer by a moment.
    await new Promise((resolve) => setTimeout(resolve, 200));
  } finally {
    socket.destroy();
  }
  return { roundTrips, scriptCommands, byCommand };
}
