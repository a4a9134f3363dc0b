// A stand-in for your app: logs every delivery hookguard forwards and answers 204.
import http from 'node:http';

const port = Number(process.env.PORT ?? 3000);
http
  .createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      console.log(`app: ${req.method} ${req.url} verified=${req.headers['hookguard-verified']} from=${req.headers['x-forwarded-for']} ${body.length} bytes`);
      res.writeHead(204).end();
    });
  })
  .listen(port, '127.0.0.1', () => console.log(`app: listening on 127.0.0.1:${port}`));
