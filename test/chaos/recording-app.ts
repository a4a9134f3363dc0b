import http from 'node:http';
import type { Socket } from 'node:net';

/** How the app answers right now. */
export type AppMode =
  | { readonly kind: 'normal' }
  /** Answers after `delayMs`, if the caller is still there. */
  | { readonly kind: 'slow'; readonly delayMs: number }
  /** Answers 500 at once. */
  | { readonly kind: 'failing' };

/**
 * The app behind the sidecar, recording what reached it by delivery id (the body's top-level `id`,
 * which every simulated provider writes first).
 *
 * What counts as "received": a 2xx answer of the app that was handed to a connection that was
 * still open. The app is idempotent in the way a real one must be (it commits when it answers
 * 2xx), so a request whose caller is gone before the answer (the sidecar timed out, 504) is
 * recorded as abandoned, not received: the provider was not told it succeeded and will retry.
 * Every request is counted in `seen` too, so a forged id that reached the app at all is caught
 * whatever the app answered.
 */
export class RecordingApp {
  /** id → 2xx answers delivered to an open connection. */
  readonly received = new Map<string, number>();
  /** id → requests that reached the app, whatever happened next. */
  readonly seen = new Map<string, number>();
  abandoned = 0;
  failed = 0;
  private mode: AppMode = { kind: 'normal' };
  private server: http.Server | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(readonly port: number) {}

  static async start(port: number): Promise<RecordingApp> {
    const app = new RecordingApp(port);
    await app.restart();
    return app;
  }

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  get up(): boolean {
    return this.server !== undefined;
  }

  setMode(mode: AppMode): void {
    this.mode = mode;
  }

  /** Listens again on the same port, keeping every record. */
  async restart(): Promise<void> {
    if (this.server) return;
    const server = http.createServer((req, res) => this.handle(req, res));
    server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.on('close', () => this.sockets.delete(socket));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => {
        server.removeListener('error', reject);
        resolve();
      });
    });
    this.server = server;
  }

  /** As a crash: the port closes and every connection, busy or idle, is cut at once. */
  async kill(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  async close(): Promise<void> {
    await this.kill();
  }

  private handle(req: http.IncomingMessage, res: http.ServerResponse): void {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const id = idOf(Buffer.concat(chunks));
      this.seen.set(id, (this.seen.get(id) ?? 0) + 1);
      // A caller gone before any answer: the sidecar's deadline passed, or the app was killed.
      res.once('close', () => {
        if (!res.headersSent) this.abandoned++;
      });
      const mode = this.mode;
      if (mode.kind === 'failing') {
        this.failed++;
        res.writeHead(500, { 'content-type': 'text/plain' }).end('app failing on purpose\n');
        return;
      }
      if (mode.kind === 'slow') {
        const timer = setTimeout(() => this.accept(id, res), mode.delayMs);
        res.once('close', () => clearTimeout(timer));
        return;
      }
      this.accept(id, res);
    });
  }

  private accept(id: string, res: http.ServerResponse): void {
    // The caller gave up (the sidecar's upstream deadline): an answer now would reach no one.
    if (res.destroyed || res.socket === null || res.socket.destroyed) return;
    res.once('finish', () => this.received.set(id, (this.received.get(id) ?? 0) + 1));
    res.writeHead(200, { 'content-type': 'application/json' }).end('{"received":true}');
  }
}

function idOf(body: Buffer): string {
  try {
    const parsed = JSON.parse(body.toString('utf8')) as { id?: unknown };
    return typeof parsed.id === 'string' ? parsed.id : '<no id>';
  } catch {
    return '<not json>';
  }
}
