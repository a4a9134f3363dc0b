// The app behind every scenario: node:http, reads the whole body, answers 200 with a small body.
// Usage: node bench/app.mjs PORT
import http from 'node:http';

const port = Number(process.argv[2]);
const answer = Buffer.from('ok\n');
const server = http.createServer((req, res) => {
  req.on('data', () => {});
  req.on('end', () => {
    res.writeHead(200, { 'Content-Type': 'text/plain', 'Content-Length': answer.length });
    res.end(answer);
  });
});
// Longer than any proxy's idle pool timeout, so no reference loses a request to a keep-alive race.
server.keepAliveTimeout = 65_000;
server.listen(port, '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
