import { Agent, request } from 'undici';

/** The parts of a Kubernetes object these tests read. */
export interface KubeObject {
  apiVersion?: string;
  kind?: string;
  metadata?: { name?: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string>; resourceVersion?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** A metav1.Status, as the API server answers a refused request. */
export interface KubeStatus {
  kind: 'Status';
  status?: string;
  message?: string;
  reason?: string;
  code?: number;
}

export interface KubeResponse<T = KubeObject> {
  readonly status: number;
  readonly body: T;
  /** `Warning` headers (admission warnings among them). */
  readonly warnings: readonly string[];
}

export interface KubeClient {
  request<T = KubeObject>(method: string, path: string, body?: unknown, contentType?: string): Promise<KubeResponse<T>>;
  get<T = KubeObject>(path: string): Promise<KubeResponse<T>>;
  /** POST to a collection; `dryRun` adds `?dryRun=All`. */
  create<T = KubeObject>(collection: string, object: KubeObject, options?: { dryRun?: boolean }): Promise<KubeResponse<T>>;
  /** Creates, or replaces with the stored resourceVersion when the object exists. */
  apply(collection: string, object: KubeObject): Promise<KubeObject>;
  delete(path: string): Promise<KubeResponse>;
  close(): Promise<void>;
}

export class KubeError extends Error {
  constructor(
    readonly method: string,
    readonly path: string,
    readonly response: KubeResponse<unknown>,
  ) {
    super(`${method} ${path}: ${response.status} ${JSON.stringify(response.body)}`);
  }
}

/** Talks to kube-apiserver over HTTPS with a client certificate; no kubectl involved. */
export function createKubeClient(options: { url: string; ca: Buffer; cert: Buffer; key: Buffer }): KubeClient {
  const agent = new Agent({ connect: { ca: options.ca, cert: options.cert, key: options.key } });

  async function send<T>(method: string, path: string, body?: unknown, contentType = 'application/json'): Promise<KubeResponse<T>> {
    const response = await request(`${options.url}${path}`, {
      method: method as 'GET',
      dispatcher: agent,
      headers: { accept: 'application/json', ...(body !== undefined && { 'content-type': contentType }) },
      ...(body !== undefined && { body: JSON.stringify(body) }),
    });
    const text = await response.body.text();
    const warning = response.headers.warning;
    const warnings = warning === undefined ? [] : Array.isArray(warning) ? warning : [warning];
    let parsed: unknown = text;
    try {
      parsed = JSON.parse(text);
    } catch {
      // /readyz and friends answer plain text
    }
    return { status: response.statusCode, body: parsed as T, warnings };
  }

  const client: KubeClient = {
    request: send,
    get: (path) => send('GET', path),
    create: (collection, object, createOptions = {}) => send('POST', `${collection}${createOptions.dryRun ? '?dryRun=All' : ''}`, object),
    async apply(collection, object) {
      const name = object.metadata?.name;
      if (name === undefined) throw new TypeError('apply: the object needs metadata.name');
      const created = await send<KubeObject>('POST', collection, object);
      if (created.status === 201) return created.body;
      if (created.status !== 409) throw new KubeError('POST', collection, created);
      const path = `${collection}/${name}`;
      const current = await send<KubeObject>('GET', path);
      if (current.status !== 200) throw new KubeError('GET', path, current);
      const replaced = await send<KubeObject>('PUT', path, { ...object, metadata: { ...object.metadata, resourceVersion: current.body.metadata?.resourceVersion } });
      if (replaced.status !== 200) throw new KubeError('PUT', path, replaced);
      return replaced.body;
    },
    delete: (path) => send('DELETE', path),
    close: () => agent.close(),
  };
  return client;
}
