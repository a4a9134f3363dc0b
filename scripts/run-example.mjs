// `npm run example`: the example app and the sidecar in front of it, in-memory state, until Ctrl-C.
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createHmac } from 'node:crypto';

const app = spawn(process.execPath, ['deploy/local/example-app.mjs'], { stdio: 'inherit' });
const sidecar = spawn(process.execPath, ['dist/cli.js', 'sidecar', '--config', 'deploy/local/hookguard.yaml'], { stdio: 'inherit' });

const secret = readFileSync('deploy/local/secrets/github', 'utf8').trim();
const token = readFileSync('deploy/local/secrets/ci-token', 'utf8').trim();
const body = '{"zen":"Keep it logically awesome."}';
const signature = `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
setTimeout(() => {
  console.log(`
Try it (in another terminal):
  curl -i -X POST http://127.0.0.1:8080/hooks/github -H 'Content-Type: application/json' \\
       -H 'X-GitHub-Event: ping' -H 'X-GitHub-Delivery: 1' -H '${`X-Hub-Signature-256: ${signature}`}' \\
       --data '${body}'
  curl -i -X POST http://127.0.0.1:8080/hooks/github -H 'Content-Type: application/json' -H 'X-GitHub-Event: ping' --data '${body}'   # 401
  curl -i -X POST http://127.0.0.1:8080/hooks/ci/${token} -H 'Content-Type: application/json' --data '{}'
  curl -s http://127.0.0.1:9102/metrics | grep hookguard_
`);
}, 800);

const stop = () => {
  sidecar.kill('SIGTERM');
  app.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
sidecar.on('exit', (code) => {
  app.kill('SIGTERM');
  process.exitCode = code ?? 0;
});
