import type { KubeClient, KubeObject } from './kube-client.js';

interface ApiResource {
  name: string;
  kind: string;
  namespaced: boolean;
}

/**
 * Finds the REST collection of any object through the API server's own discovery documents, so no
 * kind-to-resource table has to be kept here.
 */
export function createResourcePaths(client: KubeClient) {
  const discovered = new Map<string, Promise<ApiResource[]>>();

  function resources(apiVersion: string): Promise<ApiResource[]> {
    let list = discovered.get(apiVersion);
    if (list === undefined) {
      const path = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      list = client.get<{ resources?: ApiResource[] }>(path).then((response) => {
        if (response.status !== 200) throw new Error(`e2e: discovery of ${apiVersion} answered ${response.status}`);
        return (response.body.resources ?? []).filter((resource) => !resource.name.includes('/'));
      });
      discovered.set(apiVersion, list);
    }
    return list;
  }

  return {
    /** The collection path (`/api/v1/namespaces/NS/pods`) of `object`, in `namespace` unless it names its own. */
    async collection(object: KubeObject, namespace?: string): Promise<string> {
      const apiVersion = object.apiVersion ?? '';
      const resource = (await resources(apiVersion)).find((candidate) => candidate.kind === object.kind);
      if (resource === undefined) throw new Error(`e2e: the API server serves no ${object.kind} in ${apiVersion}`);
      const base = apiVersion.includes('/') ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
      if (!resource.namespaced) return `${base}/${resource.name}`;
      const ns = object.metadata?.namespace ?? namespace;
      if (ns === undefined) throw new Error(`e2e: ${object.kind} ${object.metadata?.name} needs a namespace`);
      return `${base}/namespaces/${ns}/${resource.name}`;
    },
  };
}

export type ResourcePaths = ReturnType<typeof createResourcePaths>;
