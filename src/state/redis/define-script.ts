import type { RedisClient } from './create-redis-client.js';

/** Runs a script defined on a client: one EVALSHA, and EVAL once after Redis lost its script cache. */
export type Script = (keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;

const defined = new WeakMap<RedisClient, Map<string, Script>>();

/**
 * Defines a Lua script as a command of the client (ioredis `defineCommand`), which sends EVALSHA
 * and falls back to EVAL by itself when Redis answers NOSCRIPT (after a restart or a failover), so
 * a script costs one round trip. Works the same on Cluster: every key of a script shares a hash tag.
 * Defined once per client and name, however often asked for.
 *
 * `numberOfKeys: 'variable'`: the script takes as many keys as it is given (the state scripts carry a
 * variable number of queued settles); the count is sent as EVALSHA's numkeys, from which ioredis
 * also finds the first key to route a Cluster command by.
 */
export function defineScript(client: RedisClient, name: string, numberOfKeys: number | 'variable', lua: string): Script {
  let scripts = defined.get(client);
  if (!scripts) defined.set(client, (scripts = new Map()));
  const existing = scripts.get(name);
  if (existing) return existing;
  client.defineCommand(name, numberOfKeys === 'variable' ? { lua } : { numberOfKeys, lua });
  // defineCommand adds a method that ioredis's types cannot know of.
  const command = (client as unknown as Record<string, (...args: (string | number)[]) => Promise<unknown>>)[name]!;
  const script: Script = numberOfKeys === 'variable' ? (keys, args) => command.call(client, keys.length, ...keys, ...args) : (keys, args) => command.call(client, ...keys, ...args);
  scripts.set(name, script);
  return script;
}
