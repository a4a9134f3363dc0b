import type { Logger } from 'pino';
import type { HookConfig } from '../config/types.js';
import type { TokenBook } from '../gateway/gateway-deps.js';
import type { GatewayMetrics } from '../observability/gateway-metrics.js';
import type { RedisClient } from '../state/redis/create-redis-client.js';
import { RedisKeyspace } from '../state/redis/redis-keyspace.js';
import { disconnectRedis } from '../state/redis/disconnect-redis.js';
import { TokenSet, hashToken, tokenId, type TokenRecord } from '../state/token-set.js';
import { listTokens } from './list-tokens.js';
import { seedToken } from './seed-token.js';
import { parseTokenChange } from './token-change.js';
import { publishTokenChange } from './publish-token-change.js';

export interface RedisTokenBookDeps {
  /** The command connection, shared with the state store (not closed here). */
  readonly client: RedisClient;
  /** A connection of its own for pub/sub (createRedisClient with `subscriber: true`); closed here. */
  readonly subscriber: RedisClient;
  readonly prefix: string;
  /** Hooks with a configured `token`: only their URLs take one. */
  readonly hooks: readonly HookConfig[];
  readonly logger: Logger;
  readonly metrics?: Pick<GatewayMetrics, 'tokenRotations'>;
  /** Full reload of every hook, in case a change message was missed. */
  readonly resyncIntervalMs?: number;
  /** How long `start()` waits for the first load before the configured tokens stand in. */
  readonly startTimeoutMs?: number;
  readonly now?: () => number;
}

export interface RedisTokenBook extends TokenBook {
  /** Subscribes and loads; resolves after the first load, or after `startTimeoutMs` if Redis is away. */
  start(): Promise<void>;
  /** Reloads every hook now (and seeds empty sets). Rejects when Redis cannot be read. */
  resync(): Promise<void>;
  /**
   * After a config reload: hooks added with a token start from their configured token until
   * loaded, removed ones are dropped, and everything is reloaded. A changed token of an existing hook
   * changes nothing once its set is seeded (Redis is the truth), but is warned about.
   */
  setHooks(hooks: readonly HookConfig[]): void;
  close(): Promise<void>;
}

export const DEFAULT_RESYNC_INTERVAL_MS = 30_000;

/**
 * The URL tokens of every hook, shared through Redis and answered from memory: the request path
 * never calls Redis for a token check.
 *
 * Each hook's set is loaded at start, reloaded within milliseconds of a change message on the
 * token channel, and reloaded in full on every (re)connection and every `resyncIntervalMs`, so a
 * missed message costs at most one interval. Until the first load, and whenever Redis is away, the
 * last known sets stay in force (at first: the configured tokens). Only hashes are held and stored.
 * Expiry is checked by TokenSet against this replica's clock, so a token in its grace period ends
 * on time even with Redis gone.
 */
export function createRedisTokenBook(deps: RedisTokenBookDeps): RedisTokenBook {
  const { client, subscriber, logger } = deps;
  const now = deps.now ?? Date.now;
  const keys = new RedisKeyspace(deps.prefix);
  const channel = keys.tokenChannel();

  /** hook → hash of its configured token: the seed of an empty set. */
  const seeds = new Map<string, string>();
  const sets = new Map<string, TokenSet>();
  const warned = new Set<string>();
  const configure = (hooks: readonly HookConfig[]): void => {
    const configured = new Map<string, string>();
    for (const hook of hooks) if (hook.token !== undefined) configured.set(hook.name, hashToken(hook.token));
    for (const name of [...seeds.keys()]) {
      if (configured.has(name)) continue;
      seeds.delete(name);
      sets.delete(name);
    }
    for (const [name, hash] of configured) {
      if (seeds.get(name) !== hash) warned.delete(name);
      seeds.set(name, hash);
      if (!sets.has(name)) sets.set(name, new TokenSet([{ hash, createdAt: now(), expiresAt: 0 }], now));
    }
  };
  configure(deps.hooks);
  // Loads of one hook may overlap (a message during a resync); only the latest one started applies.
  const generations = new Map<string, number>();
  let closed = false;
  let timer: NodeJS.Timeout | undefined;
  let failing = false;
  let firstLoad: () => void = () => {};
  const loaded = new Promise<void>((resolve) => {
    firstLoad = resolve;
  });

  const load = async (hook: string): Promise<void> => {
    const generation = (generations.get(hook) ?? 0) + 1;
    generations.set(hook, generation);
    let records = await listTokens(client, keys, hook);
    const seed = seeds.get(hook);
    if (records.length === 0 && seed !== undefined) {
      if (await seedToken(client, keys, hook, { hash: seed, createdAt: now(), expiresAt: 0 })) {
        logger.info({ event: 'token_seeded', hook, id: tokenId(seed) }, 'token set was empty: seeded from the configured token');
        await publishTokenChange(client, keys, { hook, event: 'seeded', id: tokenId(seed) });
      }
      // Read again: a rotation or another replica's seed may have come first.
      records = await listTokens(client, keys, hook);
    }
    if (closed || generations.get(hook) !== generation || !seeds.has(hook)) return;
    apply(hook, records);
  };

  const apply = (hook: string, records: readonly TokenRecord[]): void => {
    sets.set(hook, new TokenSet(records, now));
    const seed = seeds.get(hook);
    if (seed !== undefined && records.length > 0 && !records.some((record) => record.hash === seed) && !warned.has(hook)) {
      warned.add(hook);
      logger.warn(
        { event: 'token_config_ignored', hook },
        'the configured token is not in the token set in Redis, which is the truth once seeded: it is ignored (change tokens with `hookguard tokens rotate`)',
      );
    }
  };

  const resync = async (): Promise<void> => {
    await Promise.all([...seeds.keys()].map(load));
  };

  const resyncQuietly = async (reason: string): Promise<void> => {
    if (closed) return;
    try {
      await resync();
      if (failing) logger.info({ event: 'tokens_resynced', reason }, 'token sets reloaded from Redis');
      failing = false;
      firstLoad();
    } catch (error) {
      // One line per failure streak; the last known sets stay in force meanwhile.
      if (!failing) logger.warn({ event: 'tokens_resync_failed', reason, err: error }, 'could not reload token sets from Redis: keeping the last known ones');
      failing = true;
    }
  };

  const onMessage = (from: string, message: string): void => {
    if (from !== channel) return;
    const change = parseTokenChange(message);
    if (!change || !seeds.has(change.hook)) return;
    if (change.event !== 'seeded') {
      deps.metrics?.tokenRotations.inc({ hook: change.hook });
      logger.info({ event: change.event === 'rotated' ? 'token_rotated' : 'token_revoked', hook: change.hook, id: change.id }, `token ${change.event}`);
    }
    load(change.hook).catch((error: unknown) => {
      logger.warn({ event: 'tokens_reload_failed', hook: change.hook, err: error }, 'could not reload a token set after a change: the next resync will');
    });
  };

  // Subscribing first, then loading, leaves no gap in which a change could go unseen. The command
  // connection often comes up after the subscriber (at start, after an outage): its own 'ready'
  // loads then, so the subscriber loads only when it is already up, rather than fail and warn.
  const onSubscriberReady = (): void => {
    subscriber.subscribe(channel).then(
      () => (client.status === 'ready' ? resyncQuietly('subscribed') : undefined),
      (error: unknown) => logger.warn({ event: 'tokens_subscribe_failed', err: error }, 'could not subscribe to token changes: retrying on reconnection'),
    );
  };
  const onClientReady = (): void => void resyncQuietly('reconnected');
  const onSubscriberError = (): void => {
    // Connection state is logged by the state store's health tracking; this only keeps ioredis from
    // treating the error as unhandled.
  };

  return {
    tokensOf: (hook) => sets.get(hook),

    async start() {
      subscriber.on('message', onMessage);
      subscriber.on('ready', onSubscriberReady);
      subscriber.on('error', onSubscriberError);
      client.on('ready', onClientReady);
      if (subscriber.status === 'ready') onSubscriberReady();
      else if (client.status === 'ready') void resyncQuietly('start');
      timer = setInterval(() => void resyncQuietly('interval'), deps.resyncIntervalMs ?? DEFAULT_RESYNC_INTERVAL_MS);
      timer.unref();
      let wait: NodeJS.Timeout | undefined;
      await Promise.race([loaded, new Promise<void>((resolve) => (wait = setTimeout(resolve, deps.startTimeoutMs ?? 3_000)))]);
      clearTimeout(wait);
    },

    resync,

    setHooks(hooks) {
      configure(hooks);
      void resyncQuietly('reconfigured');
    },

    async close() {
      if (closed) return;
      closed = true;
      clearInterval(timer);
      client.off('ready', onClientReady);
      subscriber.off('message', onMessage);
      subscriber.off('ready', onSubscriberReady);
      await disconnectRedis(subscriber);
    },
  };
}
