import { createSecureContext } from 'node:tls';
import { ConfigError, type Problem } from '../config/problems.js';
import { parseHostPort, type HostPort } from '../net/parse-host-port.js';
import { createLogger, type Logger } from '../observability/logger.js';
import { createInjectorAdminServer } from './injector-admin-server.js';
import { loadInjectorConfig, type InjectorConfig } from './injector-config.js';
import { createInjectorMetrics } from './injector-metrics.js';
import { createInjectorServer } from './injector-server.js';
import { readTlsMaterial, watchTlsFiles, type TlsMaterial } from './watch-tls-files.js';

export interface RunInjectorOptions {
  readonly configPath: string;
  /** `--listen` and `--admin` from the command line; they win over the config file. */
  readonly overrides?: { readonly listen?: string; readonly admin?: string };
  readonly logger?: Logger;
  readonly env?: NodeJS.ProcessEnv;
  /** How often the TLS files are re-read besides fs.watch events; 10 s by default. */
  readonly tlsCheckIntervalMs?: number;
}

export interface RunningInjector {
  /** Where the HTTPS and admin servers listen (the real port when 0 was asked for). */
  readonly address: HostPort;
  readonly adminAddress: HostPort;
  /** Not ready at once, lets admission requests in flight finish, then stops both servers. */
  close(): Promise<void>;
}

function applyOverrides(config: InjectorConfig, overrides: RunInjectorOptions['overrides'] = {}): InjectorConfig {
  const problems: Problem[] = [];
  const read = (flag: string, text: string | undefined, fallback: HostPort): HostPort => {
    if (text === undefined) return fallback;
    const parsed = parseHostPort(text);
    if (typeof parsed !== 'string') return parsed;
    problems.push({ path: flag, message: parsed });
    return fallback;
  };
  const listen = read('--listen', overrides.listen, config.listen);
  const admin = read('--admin', overrides.admin, config.admin);
  if (problems.length > 0) throw new ConfigError(problems);
  return Object.freeze({ ...config, listen, admin });
}

async function loadTls(config: InjectorConfig): Promise<TlsMaterial> {
  let material: TlsMaterial;
  try {
    material = await readTlsMaterial(config.tls);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'unreadable';
    throw new ConfigError([{ path: 'tls', message: `cannot read ${config.tls.certFile} or ${config.tls.keyFile}: ${code}` }]);
  }
  try {
    createSecureContext({ cert: material.cert, key: material.key });
  } catch (error) {
    throw new ConfigError([{ path: 'tls', message: `the certificate and key do not load: ${(error as Error).message}` }]);
  }
  return material;
}

/**
 * Starts `hookguard injector`: validates everything first (a ConfigError names each problem, and
 * nothing listens), then the HTTPS admission server, the admin server and the TLS file watcher.
 */
export async function runInjector(options: RunInjectorOptions): Promise<RunningInjector> {
  const env = options.env ?? process.env;
  const config = applyOverrides(loadInjectorConfig(options.configPath, env), options.overrides);
  const tls = await loadTls(config);
  const logger = options.logger ?? createLogger({ name: 'hookguard-injector' });
  const metrics = createInjectorMetrics();
  let ready = false;

  const injector = createInjectorServer({ tls, options: config, logger, metrics });
  const admin = createInjectorAdminServer({ metrics, logger, isReady: () => ready });
  const watcher = watchTlsFiles({
    files: config.tls,
    current: tls,
    onChange: (material) => injector.setTls(material),
    logger,
    ...(options.tlsCheckIntervalMs !== undefined && { intervalMs: options.tlsCheckIntervalMs }),
  });

  let address: HostPort;
  let adminAddress: HostPort;
  try {
    address = await injector.listen(config.listen);
    adminAddress = await admin.listen(config.admin);
  } catch (error) {
    watcher.close();
    await Promise.all([injector.close(0), admin.close()]);
    throw error;
  }
  ready = true;
  logger.info(
    { listen: address, admin: adminAddress, image: config.sidecar.image, nativeSidecar: config.sidecar.nativeSidecar, ownNamespace: config.ownNamespace },
    'hookguard injector listening',
  );

  let closed: Promise<void> | undefined;
  return {
    address,
    adminAddress,
    close() {
      closed ??= (async () => {
        ready = false;
        watcher.close();
        await injector.close();
        await admin.close();
        logger.info('hookguard injector stopped');
      })();
      return closed;
    },
  };
}
