import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { CHART } from './helm.js';

/**
 * helm/hookguard/files/certgen.mjs, typed. It is plain JavaScript on purpose (the chart ships it in a
 * ConfigMap and the hookguard image's node runs it), so its types are written here.
 */
export interface Issued {
  readonly caPem: string;
  readonly certPem: string;
  readonly keyPem: string;
}

export interface KubeAnswer {
  readonly status: number;
  readonly body: any;
}

export interface KubeClient {
  get(path: string): Promise<KubeAnswer>;
  create(path: string, body: unknown): Promise<KubeAnswer>;
  replace(path: string, body: unknown): Promise<KubeAnswer>;
  patch(path: string, operations: unknown[]): Promise<KubeAnswer>;
}

export type Log = (level: string, msg: string, fields?: Record<string, unknown>) => void;

interface CertgenModule {
  issueCertificates(options: { hosts: string[]; validityDays: number; now?: Date }): Issued;
  splitPemBlocks(text: string): string[];
  certificateProblem(data: Record<string, string> | undefined, options: { hosts: string[]; renewBeforeDays: number; now?: Date }): string | undefined;
  createKubeClient(options: { baseUrl: string; token: string; ca?: string | Buffer }): KubeClient;
  ensureTlsSecret(
    client: KubeClient,
    options: { namespace: string; secretName: string; hosts: string[]; validityDays: number; renewBeforeDays: number; webhookName?: string; labels?: Record<string, string>; now?: Date },
    log: Log,
  ): Promise<'created' | 'kept' | 'renewed'>;
  ensureRedisSecret(client: KubeClient, options: { namespace: string; secretName: string; key: string; labels?: Record<string, string> }, log: Log): Promise<'created' | 'kept'>;
  servesCertificateFrom(options: { host: string; port: number; servername: string; ca: string; timeoutMs?: number }): Promise<boolean>;
  patchCaBundle(
    client: KubeClient,
    options: { namespace: string; secretName: string; webhookName: string; service?: { name: string; port: number }; waitSeconds: number; pollMs?: number; connectHost?: string },
    log: Log,
  ): Promise<'patched' | 'unchanged'>;
  main(argv: string[], env?: NodeJS.ProcessEnv, log?: Log): Promise<number>;
}

export const CERTGEN_PATH = join(CHART, 'files/certgen.mjs');
const certgen = (await import(pathToFileURL(CERTGEN_PATH).href)) as CertgenModule;

export const { issueCertificates, splitPemBlocks, certificateProblem, createKubeClient, ensureTlsSecret, ensureRedisSecret, servesCertificateFrom, patchCaBundle, main } = certgen;
