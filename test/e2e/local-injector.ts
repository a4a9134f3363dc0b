import { join } from 'node:path';
import { childEnv, startProcess, type ManagedProcess } from './child-processes.js';
import { REPO } from './find-binaries.js';
import { freePort } from '../helpers/free-port.js';
import type { KubeClient, KubeObject } from './kube-client.js';
import { prepareContainer, type PodSpecLike } from './local-pod.js';
import { RELEASE_NAMESPACE } from './render-chart.js';
import { GiveUp, waitUntil } from './wait-until.js';

/** The chart's injector Deployment, its pod run as a local process. */
export interface LocalInjector {
  /** Starts it (again) and waits for its /readyz. */
  start(): Promise<void>;
  /** SIGTERM, as the kubelet stops a pod. */
  stop(): Promise<void>;
  isRunning(): boolean;
  logTail(lines?: number): string;
}

export async function createLocalInjector(options: {
  kube: KubeClient;
  deployment: KubeObject;
  /** Where the injector's Service leads (see install-chart.ts). */
  listen: { host: string; port: number };
  dir: string;
}): Promise<LocalInjector> {
  const spec = (options.deployment.spec as { template: { spec: PodSpecLike } }).template.spec;
  const adminPort = await freePort();
  let running: ManagedProcess | undefined;
  return {
    async start() {
      if (running?.isRunning()) return;
      // Volumes are read at each start, as a new pod would get them.
      const local = await prepareContainer(options.kube, {
        namespace: RELEASE_NAMESPACE,
        podName: `${options.deployment.metadata?.name}-local`,
        spec,
        container: spec.containers[0]!.name,
        dir: join(options.dir, 'injector'),
      });
      const started = startProcess('injector', local.command, [...local.args, '--listen', `${options.listen.host}:${options.listen.port}`, '--admin', `127.0.0.1:${adminPort}`], {
        cwd: REPO,
        logFile: join(options.dir, 'injector.log'),
        env: childEnv(local.env),
      });
      running = started;
      await waitUntil(
        'the injector /readyz',
        async () => {
          if (!started.isRunning()) throw new GiveUp(`the injector exited (${String(await started.exited)})`);
          const response = await fetch(`http://127.0.0.1:${adminPort}/readyz`);
          return response.status === 200 ? true : undefined;
        },
        { timeoutMs: 30_000, describe: () => started.logTail() },
      );
    },
    // The injector lets admission requests in flight finish for up to 10 s.
    stop: async () => running?.stop(15_000),
    isRunning: () => running?.isRunning() ?? false,
    logTail: (lines) => running?.logTail(lines) ?? '',
  };
}
