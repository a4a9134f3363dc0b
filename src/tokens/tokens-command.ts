import { dirname } from 'node:path';
import { parseArgs } from 'node:util';
import type { HookConfig, RedisConfig, SidecarConfig } from '../config/types.js';
import { loadSidecarConfig } from '../config/load-sidecar-config.js';
import { ConfigError } from '../config/problems.js';
import { resolveSecret } from '../config/resolve-secret.js';
import { createRedisClient, type RedisClient } from '../state/redis/create-redis-client.js';
import { disconnectRedis } from '../state/redis/disconnect-redis.js';
import { RedisKeyspace } from '../state/redis/redis-keyspace.js';
import { hashToken, tokenId } from '../state/token-set.js';
import { listTokens } from './list-tokens.js';
import { parseDuration } from './parse-duration.js';
import { publishTokenChange } from './publish-token-change.js';
import { revokeToken } from './revoke-token.js';
import { rotateToken } from './rotate-token.js';
import { seedToken } from './seed-token.js';

export interface TokensIo {
  out(line: string): void;
  err(line: string): void;
}

export const TOKENS_USAGE = `Usage:
  hookguard tokens rotate --config FILE --hook NAME [--grace DURATION]
  hookguard tokens list   --config FILE --hook NAME
  hookguard tokens revoke --config FILE --hook NAME --id ID

rotate prints the new token once, as the last line; previous tokens stay valid for --grace
(30s, 15m, 24h, 7d; default 24h; 0s ends them at once). list shows ids, never tokens.
revoke ends one token (id: the first 8 hex characters of its hash, from list) at once.`;

const DEFAULT_GRACE = '24h';
const CONNECT_TIMEOUT_MS = 5_000;
const ID_PATTERN = /^[0-9a-f]{8,64}$/i;

interface Request {
  readonly action: 'rotate' | 'list' | 'revoke';
  readonly configPath: string;
  readonly hook: string;
  readonly graceMs: number;
  readonly grace: string;
  readonly id?: string;
}

/**
 * `hookguard tokens rotate|list|revoke`: operator commands on the token sets in Redis. `args` are
 * the words after `tokens`. Returns the exit code: 0 done, 1 anything wrong (said on stderr).
 */
export async function tokensCommand(args: readonly string[], env: NodeJS.ProcessEnv, io: TokensIo): Promise<number> {
  const request = parseRequest(args, env);
  if (request === HELP) {
    io.out(TOKENS_USAGE);
    return 0;
  }
  if (typeof request === 'string') {
    io.err(`hookguard tokens: ${request}\n\n${TOKENS_USAGE}`);
    return 1;
  }
  let config: SidecarConfig;
  try {
    config = loadSidecarConfig(request.configPath, {}, env);
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    io.err(`hookguard tokens: ${error.message}`);
    return 1;
  }
  const refusal = checkTarget(config, request);
  if (typeof refusal === 'string') {
    io.err(`hookguard tokens: ${refusal}`);
    return 1;
  }
  const { redis, hook } = refusal;
  let password: string | undefined;
  if (redis.password) {
    const secret = resolveSecret(redis.password, env, dirname(request.configPath));
    if (!secret.ok) {
      io.err(`hookguard tokens: redis.password: ${secret.message}`);
      return 1;
    }
    password = secret.value;
  }

  const client = createRedisClient(redis, password, { lazyConnect: true });
  let lastError: string | undefined;
  client.on('error', (error: NodeJS.ErrnoException) => {
    lastError = error.code ?? error.name;
  });
  try {
    if (!(await connected(client))) {
      io.err(`hookguard tokens: cannot reach Redis (${describe(redis)})${lastError ? `: ${lastError}` : ''}`);
      return 1;
    }
    const keys = new RedisKeyspace(redis.prefix);
    switch (request.action) {
      case 'rotate':
        return await rotate(client, keys, hook, request, io);
      case 'list':
        return await list(client, keys, hook, io);
      case 'revoke':
        return await revoke(client, keys, hook, request.id!, io);
    }
  } finally {
    await disconnectRedis(client);
  }
}

/** `--help`: the usage on stdout, exit 0. */
const HELP = Symbol('help');

function parseRequest(args: readonly string[], env: NodeJS.ProcessEnv): Request | string | typeof HELP {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...args],
      allowPositionals: true,
      strict: true,
      options: {
        config: { type: 'string', short: 'c' },
        hook: { type: 'string' },
        grace: { type: 'string' },
        id: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    // parseArgs reports unknown or malformed flags only by throwing; its message names the flag.
    return (error as Error).message;
  }
  if (parsed.values.help === true) return HELP;
  const [action, ...extra] = parsed.positionals;
  if (action !== 'rotate' && action !== 'list' && action !== 'revoke') return action === undefined ? 'which one: rotate, list or revoke?' : `unknown tokens command "${action}"`;
  if (extra.length > 0) return `unexpected argument "${extra[0]}"`;
  const { values } = parsed;
  const configPath = values.config ?? (env.HOOKGUARD_CONFIG || undefined);
  if (configPath === undefined) return 'needs --config FILE (or HOOKGUARD_CONFIG)';
  if (values.hook === undefined || values.hook === '') return 'needs --hook NAME';
  if (values.grace !== undefined && action !== 'rotate') return '--grace belongs to rotate';
  if (values.id !== undefined && action !== 'revoke') return '--id belongs to revoke';
  const grace = values.grace ?? DEFAULT_GRACE;
  const graceMs = parseDuration(grace);
  if (graceMs === undefined) return `--grace "${grace}": expected a whole number and s, m, h or d (30s, 15m, 24h, 7d), at most a year`;
  if (action === 'revoke') {
    if (values.id === undefined) return 'revoke needs --id ID (see tokens list)';
    if (!ID_PATTERN.test(values.id)) return `--id "${values.id}": expected the 8 hex characters shown by tokens list`;
  }
  return { action, configPath, hook: values.hook, grace, graceMs, ...(values.id !== undefined ? { id: values.id } : {}) };
}

function checkTarget(config: SidecarConfig, request: Request): { redis: RedisConfig; hook: HookConfig } | string {
  if (!config.redis) {
    return `${request.configPath} has no redis section: without Redis each replica uses the token written in its config, so change it there (tokens rotate, list and revoke work on the token sets in Redis)`;
  }
  const hook = config.hooks.find((h) => h.name === request.hook);
  if (!hook) return `no hook named "${request.hook}" in ${request.configPath} (hooks: ${config.hooks.map((h) => h.name).join(', ')})`;
  if (hook.token === undefined) return `hook "${hook.name}" takes no URL token (its config has no token), so it has no token set to change`;
  return { redis: config.redis, hook };
}

async function rotate(client: RedisClient, keys: RedisKeyspace, hook: HookConfig, request: Request, io: TokensIo): Promise<number> {
  const now = Date.now();
  // A set never seeded (no sidecar has started yet) starts from the configured token, so that token
  // gets its grace period like on running replicas instead of ending at once.
  const seed = hashToken(hook.token!);
  if (await seedToken(client, keys, hook.name, { hash: seed, createdAt: now, expiresAt: 0 })) {
    await publishTokenChange(client, keys, { hook: hook.name, event: 'seeded', id: tokenId(seed) });
  }
  const rotation = await rotateToken(client, keys, hook.name, request.graceMs, now);
  io.out(`hook ${hook.name}: new token ${rotation.id}`);
  if (rotation.graced.length > 0) {
    io.out(`previous token${rotation.graced.length > 1 ? 's' : ''} ${rotation.graced.join(', ')} valid until ${new Date(rotation.graceEndsAt).toISOString()} (grace ${request.grace}), then refused`);
  }
  io.out('every replica honours the change within a second; the token is shown only this once:');
  io.out(rotation.token);
  return 0;
}

async function list(client: RedisClient, keys: RedisKeyspace, hook: HookConfig, io: TokensIo): Promise<number> {
  const records = await listTokens(client, keys, hook.name);
  if (records.length === 0) {
    io.out(`hook ${hook.name}: no token set in Redis yet; the first sidecar to start seeds it from the configured token`);
    return 0;
  }
  const now = Date.now();
  io.out(`${'ID'.padEnd(10)}${'CREATED'.padEnd(26)}EXPIRES`);
  for (const record of records) {
    const expires = record.expiresAt === 0 ? 'never' : `${new Date(record.expiresAt).toISOString()}${record.expiresAt <= now ? ' (expired)' : ''}`;
    io.out(`${tokenId(record.hash).padEnd(10)}${new Date(record.createdAt).toISOString().padEnd(26)}${expires}`);
  }
  return 0;
}

async function revoke(client: RedisClient, keys: RedisKeyspace, hook: HookConfig, id: string, io: TokensIo): Promise<number> {
  const result = await revokeToken(client, keys, hook.name, id);
  if (result.ok) {
    io.out(`hook ${hook.name}: token ${result.id} revoked; every replica refuses it within a second`);
    return 0;
  }
  const why = {
    not_found: `hook ${hook.name} has no token with id ${id} (see tokens list)`,
    ambiguous: `id ${id} matches several tokens of hook ${hook.name}: give more hex characters of the hash`,
    last_token: `refused: ${id} is the last valid token of hook ${hook.name}; rotate first (tokens rotate --hook ${hook.name} --grace 0s replaces it at once)`,
  }[result.reason];
  io.err(`hookguard tokens: ${why}`);
  return 1;
}

/** Connects within a bound: an operator command should fail with a message, not hang. */
async function connected(client: RedisClient): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<boolean>((resolve) => {
    timer = setTimeout(() => resolve(false), CONNECT_TIMEOUT_MS);
  });
  try {
    return await Promise.race([client.connect().then(() => true, () => client.status === 'ready'), timeout]);
  } finally {
    clearTimeout(timer);
  }
}

function describe(redis: RedisConfig): string {
  switch (redis.mode) {
    case 'url':
      return redis.url.replace(/\/\/[^@/]*@/, '//');
    case 'sentinel':
      return `sentinel ${redis.name} via ${redis.nodes.map((n) => `${n.host}:${n.port}`).join(', ')}`;
    case 'cluster':
      return `cluster via ${redis.nodes.map((n) => `${n.host}:${n.port}`).join(', ')}`;
  }
}
