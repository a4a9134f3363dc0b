import { createHash } from 'node:crypto';
import type { RedisClient } from './create-redis-client.js';

/** Runs a script defined on a client: one EVALSHA, and EVAL once after Redis lost its script cache. */
export type Script = (keys: readonly string[], args: readonly (string | number)[]) => Promise<unknown>;

const defined = new WeakMap<RedisClient, Map<string, Script>>();

/**
 * A Lua script as a function of its keys and arguments: it sends EVALSHA, and EVAL when Redis
 * answers NOSCRIPT (a restarted Redis, a promoted replica, SCRIPT FLUSH), which also loads the
 * script for the next call; so a script costs one round trip. Works the same on Cluster: every key
 * of a script shares a hash tag, and ioredis routes EVALSHA by its first key. Defined once per
 * client and name, however often asked for.
 *
 * `numberOfKeys`: a fixed count, checked on every call (a wrong count is a bug that would shift
 * keys into arguments), or `'variable'`: the state scripts take as many keys as they are given (the
 * queued settles they carry).
 *
 * Why not ioredis's `defineCommand`: it wraps each call in a command subclass that builds a
 * closure, spreads the arguments into a new array and chains a promise for its own NOSCRIPT
 * fallback; here the arguments are laid out once and the fallback costs nothing until needed.
 */
export function defineScript(client: RedisClient, name: string, numberOfKeys: number | 'variable', lua: string): Script {
  let scripts = defined.get(client);
  if (!scripts) defined.set(client, (scripts = new Map()));
  const existing = scripts.get(name);
  if (existing) return existing;
  const sha = createHash('sha1').update(lua).digest('hex');
  const script: Script = async (keys, args) => {
    if (numberOfKeys !== 'variable' && keys.length !== numberOfKeys) throw new TypeError(`script ${name} takes ${numberOfKeys} keys, given ${keys.length}`);
    const argv = new Array<string | number>(2 + keys.length + args.length);
    argv[0] = sha;
    argv[1] = keys.length;
    for (let i = 0; i < keys.length; i++) argv[2 + i] = keys[i]!;
    for (let i = 0, at = 2 + keys.length; i < args.length; i++) argv[at + i] = args[i]!;
    try {
      return await client.call('evalsha', argv);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      argv[0] = lua;
      return client.call('eval', argv);
    }
  };
  scripts.set(name, script);
  return script;
}

function isNoScript(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('NOSCRIPT');
}
