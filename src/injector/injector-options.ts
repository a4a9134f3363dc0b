import type { Resources } from './pod-types.js';

/** Where the sidecar finds Redis; the password is only ever a reference to a Secret key. */
export interface SidecarRedis {
  readonly url: string;
  /** Secret in the pod's namespace holding the password; absent: the pod's `hookguard.io/secret`. */
  readonly passwordSecretName?: string;
  readonly passwordSecretKey?: string;
}

/** Upper bounds for the resource annotations, so a pod cannot ask the sidecar for a node's worth. */
export interface MaxResources {
  readonly cpu: string;
  readonly memory: string;
}

export interface SidecarDefaults {
  readonly image: string;
  readonly nativeSidecar: boolean;
  readonly resources: Resources;
  readonly maxResources: MaxResources;
  /** Absent: the sidecar keeps its state in memory, correct for exactly one replica. */
  readonly redis?: SidecarRedis;
}

/** Everything the pure injection steps need from the injector's config; no addresses, no TLS. */
export interface InjectorOptions {
  readonly sidecar: SidecarDefaults;
  /** Pods in this namespace are never injected (see should-inject). */
  readonly ownNamespace?: string;
}

/**
 * Built-in defaults: what `hookguard inject` uses without `--config`, and what a config file's
 * absent keys fall back to. CPU gets no limit on purpose: a throttled gateway adds latency to every
 * delivery, while its memory is bounded by body-size caps, so a memory limit is safe.
 */
export const DEFAULT_INJECTOR_OPTIONS: InjectorOptions = Object.freeze({
  sidecar: Object.freeze({
    image: 'ghcr.io/hookguard/hookguard:0.1.0',
    nativeSidecar: true,
    resources: Object.freeze({
      requests: Object.freeze({ cpu: '20m', memory: '48Mi' }),
      limits: Object.freeze({ memory: '256Mi' }),
    }),
    maxResources: Object.freeze({ cpu: '1', memory: '1Gi' }),
  }),
});
