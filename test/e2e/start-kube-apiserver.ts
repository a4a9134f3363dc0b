import { join } from 'node:path';
import { startProcess, type ManagedProcess } from './child-processes.js';
import { freePort } from '../helpers/free-port.js';
import { createKubeClient, type KubeClient } from './kube-client.js';
import type { ClusterPki } from './make-pki.js';
import { GiveUp, waitUntil } from './wait-until.js';

export interface RunningKubeApiServer {
  readonly url: string;
  /** A client with the admin credential (group system:masters). */
  readonly client: KubeClient;
  readonly process: ManagedProcess;
}

/**
 * kube-apiserver on 127.0.0.1 with nothing else of a control plane: no controller manager (so no
 * Deployment ever makes a Pod, and no namespace gets its `default` ServiceAccount by itself), no
 * scheduler, no kubelet. Admission runs as in a real cluster, webhooks included.
 */
export async function startKubeApiServer(binary: string, dir: string, etcdUrl: string, pki: ClusterPki): Promise<RunningKubeApiServer> {
  const port = await freePort();
  const url = `https://127.0.0.1:${port}`;
  const process = startProcess(
    'kube-apiserver',
    binary,
    [
      `--etcd-servers=${etcdUrl}`,
      `--etcd-prefix=/hookguard-e2e`,
      '--bind-address=127.0.0.1',
      '--advertise-address=127.0.0.1',
      `--secure-port=${port}`,
      `--cert-dir=${dir}`,
      `--tls-cert-file=${pki.apiServer.certFile}`,
      `--tls-private-key-file=${pki.apiServer.keyFile}`,
      `--client-ca-file=${pki.ca.certFile}`,
      '--service-account-issuer=https://kubernetes.default.svc.cluster.local',
      `--service-account-key-file=${pki.serviceAccountPublicKeyFile}`,
      `--service-account-signing-key-file=${pki.serviceAccountKeyFile}`,
      // Only an allocation range for Service IPs; nothing is ever sent to it.
      '--service-cluster-ip-range=10.96.0.0/24',
      '--authorization-mode=RBAC',
      // The plugins a real cluster runs on a Pod create, in the API server's own order.
      '--enable-admission-plugins=NamespaceLifecycle,ServiceAccount,PodSecurity,MutatingAdmissionWebhook,ValidatingAdmissionWebhook',
      // The `kubernetes` Service's endpoints would be 127.0.0.1, which Endpoints validation refuses.
      '--endpoint-reconciler-type=none',
      '--profiling=false',
      '--v=1',
    ],
    { logFile: join(dir, 'kube-apiserver.log') },
  );
  const client = createKubeClient({ url, ca: pki.ca.cert, cert: pki.admin.cert, key: pki.admin.key });
  try {
    await waitUntil(
      'kube-apiserver /readyz',
      async () => {
        if (!process.isRunning()) throw new GiveUp(`kube-apiserver exited (${String(await process.exited)})`);
        const response = await client.request('GET', '/readyz');
        return response.status === 200 ? true : undefined;
      },
      { timeoutMs: 120_000, intervalMs: 250, describe: () => process.logTail() },
    );
  } catch (error) {
    await client.close();
    throw error;
  }
  return { url, client, process };
}
