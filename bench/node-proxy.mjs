// The reference for "what any Node proxy costs": a minimal node:http pass-through with a
// keep-alive agent. No checks, no logging, no metrics; bodies are streamed, not buffered.
// Usage: node bench/node-proxy.mjs LISTEN_PORT UPSTREAM_PORT
import http from 'node:http';

const listenPort = Number(process.argv[2]);
const upstreamPort = Number(process.argv[3]);
const agent = new http.Agent({ keepAlive: true, maxSockets: 64, maxFreeSockets: 64 });

const server = http.createServer((req, res) => {
  const upstream = http.request(
    { host: '127.0.0.1', port: upstreamPort, method: req.method, path: req.url, headers: req.headers, agent },
    (answer) => {
      res.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(res);
    },
  );
  upstream.on('error', () => {
    if (!res.headersSent) res.writeHead(502);
    res.end();
  });
  req.pipe(upstream);
});
server.keepAliveTimeout = 65_000;
server.listen(listenPort, '127.0.0.1');
process.on('SIGTERM', () => {
  server.close(() => process.exit(0));
  server.closeAllConnections();
});
