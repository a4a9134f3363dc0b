import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, posix } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { stringify } from 'yaml';
import { send } from '../helpers/http-client.js';
import { deadPort, startUpstream } from '../helpers/upstream.js';
import { makeCertificate } from '../injector/make-certificate.js';
import { REPO } from '../helm/helm.js';

/**
 * The image's runtime layout, checked without a Docker engine: the Dockerfile's instructions are
 * carried out on a temp folder (COPY from the repository, RUN in the build stage, COPY --from the
 * build stage into the runtime stage), the result is made read-only, and both long-running
 * commands are started from it as the image's USER with no HOME, as the kubelet would run them.
 */

interface Stage {
  readonly name: string;
  readonly dir: string;
  workdir: string;
}

interface Image {
  readonly root: string;
  readonly env: Record<string, string>;
  readonly user: { uid: number; gid: number };
  readonly entrypoint: string[];
  readonly cmd: string[];
}

/** Carries out the Dockerfile's instructions; a stage's "/" is a folder of its own. */
function buildLikeDockerfile(work: string): Image {
  const lines = readFileSync(join(REPO, 'Dockerfile'), 'utf8')
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
  const stages: Stage[] = [];
  let env: Record<string, string> = {};
  let user = { uid: 0, gid: 0 };
  let entrypoint: string[] = [];
  let cmd: string[] = [];
  const inStage = (stage: Stage, path: string) => join(stage.dir, posix.isAbsolute(path) ? path : posix.join(stage.workdir, path));
  for (const line of lines) {
    const [instruction, ...rest] = line.split(/\s+/);
    const args = rest.join(' ');
    const stage = stages.at(-1)!;
    switch (instruction) {
      case 'FROM': {
        const name = /\bAS\s+(\S+)/i.exec(args)?.[1] ?? `stage${stages.length}`;
        const dir = join(work, name);
        mkdirSync(dir, { recursive: true });
        stages.push({ name, dir, workdir: '/' });
        env = {};
        break;
      }
      case 'WORKDIR':
        stage.workdir = args;
        mkdirSync(inStage(stage, '.'), { recursive: true });
        break;
      case 'ENV':
        for (const [, key, value] of args.matchAll(/(\w+)=(\S+)/g)) env[key!] = value!;
        break;
      case 'COPY': {
        const from = /^--from=(\S+)\s+/.exec(args);
        const paths = (from ? args.slice(from[0].length) : args).split(/\s+/);
        const dest = paths.pop()!;
        const source = from ? stages.find((s) => s.name === from[1])! : undefined;
        for (const path of paths) {
          const src = source ? join(source.dir, path) : join(REPO, path);
          const target = dest.endsWith('/') ? join(inStage(stage, dest), posix.basename(path)) : inStage(stage, dest);
          cpSync(src, target, { recursive: true });
        }
        break;
      }
      case 'RUN':
        // Prefer the npm cache: the Dockerfile's commands, without waiting on the registry.
        execFileSync('sh', ['-c', args], { cwd: inStage(stage, '.'), stdio: 'pipe', env: { ...process.env, ...env, npm_config_prefer_offline: 'true', npm_config_update_notifier: 'false' } });
        break;
      case 'USER': {
        const [uid, gid] = args.split(':').map(Number);
        user = { uid: uid!, gid: gid ?? uid! };
        break;
      }
      case 'ENTRYPOINT':
        entrypoint = JSON.parse(args);
        break;
      case 'CMD':
        cmd = JSON.parse(args);
        break;
      case 'EXPOSE':
        break;
      default:
        throw new Error(`image-layout.test.ts does not know the Dockerfile instruction ${instruction}: teach it`);
    }
  }
  const final = stages.at(-1)!;
  return { root: final.dir, env, user, entrypoint, cmd };
}

/** The image's paths ("/app/...") inside the runtime stage's folder. */
function hostPath(image: Image, path: string): string {
  return path.startsWith('/') ? join(image.root, path) : path;
}

function makeReadable(dir: string): void {
  execFileSync('chmod', ['-R', 'a+rX', dir]);
}

const RUNNING_AS_ROOT = process.getuid?.() === 0;
const TOKEN = 'gitlab-token-for-the-image-layout-test';

describe('the image runtime layout (the Dockerfile carried out without Docker)', { timeout: 300_000 }, () => {
  const work = mkdtempSync(join(tmpdir(), 'hookguard-image-'));
  const children: ChildProcess[] = [];
  let image: Image;
  let upstream: Awaited<ReturnType<typeof startUpstream>>;

  /** Starts the image's entrypoint with `args`, as its USER, read-only, with no HOME. */
  function start(args: string[]): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
    const [program, ...entry] = image.entrypoint;
    const command = [program === 'node' ? process.execPath : program!, ...entry.map((a) => hostPath(image, a)), ...args];
    const asUser = RUNNING_AS_ROOT ? ['setpriv', `--reuid=${image.user.uid}`, `--regid=${image.user.gid}`, '--clear-groups', '--', ...command] : command;
    const child = spawn(asUser[0]!, asUser.slice(1), {
      cwd: hostPath(image, '/app'),
      // No HOME, no npm, nothing but what the image sets: the process must not need a writable home.
      env: { PATH: '/usr/bin:/bin', ...image.env, HOOKGUARD_LOG_LEVEL: 'info' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let output = '';
    child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
    child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    return { child, output: () => output, exited };
  }

  async function waitReady(adminUrl: string, running: { child: ChildProcess; output: () => string }): Promise<void> {
    const deadline = Date.now() + 20_000;
    for (;;) {
      if ((await fetch(`${adminUrl}/readyz`).then((r) => r.status, () => 0)) === 200) return;
      if (running.child.exitCode !== null || Date.now() > deadline) throw new Error(`not ready:\n${running.output()}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  before(async () => {
    chmodSync(work, 0o755);
    image = buildLikeDockerfile(join(work, 'stages'));
    // Read-only, as with readOnlyRootFilesystem (and readable by the image's user).
    makeReadable(image.root);
    execFileSync('chmod', ['-R', 'a-w', image.root]);
    upstream = await startUpstream();
  });

  after(async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGKILL');
    await upstream?.close();
    execFileSync('chmod', ['-R', 'u+w', work]);
    rmSync(work, { recursive: true, force: true });
  });

  it('runs as the non-root user the Dockerfile names', () => {
    assert.notEqual(image.user.uid, 0);
    assert.deepEqual(image.entrypoint.slice(0, 2), ['node', '/app/dist/cli.js']);
    assert.deepEqual(image.cmd, ['sidecar', '--config', '/etc/hookguard/config/hookguard.yaml']);
    assert.equal(image.env.NODE_ENV, 'production');
  });

  it('holds the build output and production dependencies only', () => {
    const app = hostPath(image, '/app');
    assert.deepEqual(readdirSync(app).sort(), ['dist', 'node_modules', 'package.json']);
    assert.ok(existsSync(join(app, 'dist/cli.js')));
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8'));
    for (const dependency of Object.keys(pkg.dependencies)) assert.ok(existsSync(join(app, 'node_modules', dependency)), `${dependency} is there`);
    for (const dependency of Object.keys(pkg.devDependencies)) assert.ok(!existsSync(join(app, 'node_modules', dependency)), `${dependency} (dev) is not`);
    assert.equal(spawnSync('sh', ['-c', `find ${app} -perm /222 -not -type l | head -1`], { encoding: 'utf8' }).stdout, '', 'nothing is writable');
  });

  it('serves deliveries and /readyz as the sidecar, from the read-only tree, without HOME', async () => {
    const config = join(work, 'sidecar');
    mkdirSync(join(config, 'secrets'), { recursive: true });
    writeFileSync(join(config, 'secrets/gitlab'), `${TOKEN}\n`);
    const [listen, admin] = [await deadPort(), await deadPort()];
    writeFileSync(
      join(config, 'hookguard.yaml'),
      stringify({
        listen: `127.0.0.1:${listen}`,
        admin: `127.0.0.1:${admin}`,
        upstream: upstream.url,
        hooks: [{ name: 'gitlab', path: '/hooks/gitlab', provider: 'gitlab', secrets: [{ file: join(config, 'secrets/gitlab') }] }],
      }),
    );
    makeReadable(config);
    const sidecar = start(['sidecar', '--config', join(config, 'hookguard.yaml')]);
    await waitReady(`http://127.0.0.1:${admin}`, sidecar);

    const headers = { 'content-type': 'application/json', 'x-gitlab-token': TOKEN };
    const good = await send(`http://127.0.0.1:${listen}/hooks/gitlab`, { headers, body: '{"object_kind":"push"}' });
    assert.equal(good.status, 200, sidecar.output());
    assert.equal(upstream.received.at(-1)?.body.toString(), '{"object_kind":"push"}');
    const bad = await send(`http://127.0.0.1:${listen}/hooks/gitlab`, { headers: { ...headers, 'x-gitlab-token': 'wrong' }, body: '{}' });
    assert.equal(bad.status, 401);
    const metrics = await fetch(`http://127.0.0.1:${admin}/metrics`).then((r) => r.text());
    assert.match(metrics, /hookguard_requests_total\{hook="gitlab",outcome="accepted"\} 1/);

    sidecar.child.kill('SIGTERM');
    assert.equal(await sidecar.exited, 0, `stops cleanly on SIGTERM:\n${sidecar.output()}`);
    assert.doesNotMatch(sidecar.output(), /EACCES|EROFS|ENOENT.*\.(npm|cache)/, 'nothing tried to write');
  });

  it('serves /readyz as the injector from the same tree', async () => {
    const dir = join(work, 'injector');
    mkdirSync(dir);
    makeCertificate(dir, 'tls');
    const [listen, admin] = [await deadPort(), await deadPort()];
    writeFileSync(
      join(dir, 'injector.yaml'),
      stringify({ listen: `127.0.0.1:${listen}`, admin: `127.0.0.1:${admin}`, namespace: 'hookguard', tls: { certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') }, sidecar: { image: 'ghcr.io/hookguard/hookguard:0.1.0' } }),
    );
    makeReadable(dir);
    const injector = start(['injector', '--config', join(dir, 'injector.yaml')]);
    await waitReady(`http://127.0.0.1:${admin}`, injector);
    injector.child.kill('SIGTERM');
    assert.equal(await injector.exited, 0, injector.output());
  });

  it('runs the chart\'s certgen script with the image\'s node as the image\'s user', () => {
    const script = join(work, 'certgen.mjs');
    cpSync(join(REPO, 'helm/hookguard/files/certgen.mjs'), script);
    makeReadable(script);
    const code = "import('" + script + "').then((m) => { const c = m.issueCertificates({ hosts: ['a.b.svc'], validityDays: 1 }); process.stdout.write(c.caPem.slice(0, 27)); })";
    const command = [process.execPath, '--input-type=module', '-e', code];
    const run = RUNNING_AS_ROOT ? ['setpriv', `--reuid=${image.user.uid}`, `--regid=${image.user.gid}`, '--clear-groups', '--', ...command] : command;
    const result = spawnSync(run[0]!, run.slice(1), { encoding: 'utf8', env: { PATH: '/usr/bin:/bin' }, cwd: hostPath(image, '/app') });
    assert.equal(result.stdout, '-----BEGIN CERTIFICATE-----', result.stderr);
  });
});
