import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Unavailable, type Target } from './target.js';
import { freePort } from '../../test/helpers/free-port.js';
import { startProcess, waitForPort } from './managed-process.js';
import { childPids } from '../proc-stats.js';

/** The nginx binary, or undefined when it is not installed. */
export function nginxBinary(): string | undefined {
  for (const candidate of ['/usr/sbin/nginx', '/usr/local/sbin/nginx', '/usr/local/nginx/sbin/nginx']) {
    try {
      execFileSync(candidate, ['-v'], { stdio: 'ignore' });
      return candidate;
    } catch {
      // next
    }
  }
  try {
    return execFileSync('bash', ['-c', 'command -v nginx'], { encoding: 'utf8' }).trim() || undefined;
  } catch {
    return undefined;
  }
}

/**
 * nginx as a keep-alive reverse proxy with limit_req (a rate high enough never to refuse), one
 * worker (hookguard is one Node process, so one worker is the fair match on a shared machine), no
 * access log (hookguard logs rejections only). Runs as the current user with every path in its
 * own temp folder; request bodies up to 2 MiB stay in memory, as hookguard keeps them.
 */
export async function startNginx(appPort: number, workDir: string): Promise<Target> {
  const binary = nginxBinary();
  if (!binary) throw new Unavailable('nginx is not installed');
  const port = await freePort();
  const dir = join(workDir, `nginx-${port}`);
  mkdirSync(join(dir, 'temp'), { recursive: true });
  writeFileSync(
    join(dir, 'nginx.conf'),
    `worker_processes 1;
daemon off;
master_process on;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path ${dir}/temp/body;
  proxy_temp_path ${dir}/temp/proxy;
  fastcgi_temp_path ${dir}/temp/fastcgi;
  uwsgi_temp_path ${dir}/temp/uwsgi;
  scgi_temp_path ${dir}/temp/scgi;
  keepalive_timeout 65s;
  keepalive_requests 1000000;
  client_max_body_size 2m;
  client_body_buffer_size 2m;
  limit_req_zone $binary_remote_addr zone=hooks:1m rate=1000000r/s;
  upstream app {
    server 127.0.0.1:${appPort};
    keepalive 64;
    keepalive_requests 1000000;
    keepalive_timeout 60s;
  }
  server {
    listen 127.0.0.1:${port};
    location / {
      limit_req zone=hooks burst=1000000 nodelay;
      proxy_pass http://app;
      proxy_http_version 1.1;
      proxy_set_header Connection "";
    }
  }
}
`,
  );
  const nginx = startProcess('nginx', binary, ['-p', dir, '-e', join(dir, 'error.log'), '-c', join(dir, 'nginx.conf')]);
  await waitForPort(nginx, port);
  return { port, pids: () => [nginx.pid, ...childPids(nginx.pid)], stop: () => nginx.stop('SIGQUIT') };
}
