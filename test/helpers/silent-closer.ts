import net from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * An app server that models the keep-alive race deterministically: it sends no Keep-Alive hint,
 * and a connection idle for longer than `idleMs` is dead to it, so a request arriving on it is
 * answered with a reset (what a client sees when its request crosses the server's close).
 */
export async function startSilentCloser(idleMs: number) {
  const sockets = new Set<net.Socket>();
  const server = net.createServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    let lastActivity = Date.now();
    let buffer = '';
    socket.on('data', (chunk) => {
      if (Date.now() - lastActivity > idleMs) {
        socket.resetAndDestroy();
        return;
      }
      buffer += chunk.toString('latin1');
      for (;;) {
        const end = buffer.indexOf('\r\n\r\n');
        if (end === -1) return;
        const length = Number(/content-length:\s*(\d+)/i.exec(buffer.slice(0, end))?.[1] ?? 0);
        if (buffer.length < end + 4 + length) return;
        buffer = buffer.slice(end + 4 + length);
        socket.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
        lastActivity = Date.now();
      }
    });
    socket.on('error', () => {});
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
