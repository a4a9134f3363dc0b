import type { CompiledHook } from './compiled-hook.js';
import type { Runtime } from './gateway-deps.js';
import type { Address } from '../net/normalize-address.js';
import type { RequestClaim } from './delivery-claim.js';
import type { BodyChunks } from '../verify/types.js';

/** What the pipeline learns about a request, step by step (Koa's ctx.state). */
export interface RequestState {
  runtime: Runtime;
  requestId: string;
  /** The hook label of metrics: the hook's name, or `unmatched`. */
  hookLabel: string;
  hook?: CompiledHook;
  /** The URL token the request came with, once matchRoute has found it valid. */
  urlToken?: string;
  /** The client address as far as it can be trusted; '' when the socket had none. */
  source: string;
  /** The same, parsed (once per request). */
  address?: Address;
  /** The socket's peer, parsed. */
  peer?: Address;
  /** The body's chunks, once readBody has read it whole. */
  body?: BodyChunks;
  /** Bytes of the body budget this request holds, given back when it ends (handle-request.ts). */
  bodyReserved?: number;
  /** The query string including '?', or ''. */
  search: string;
  /** Set when the app answered (whatever its status). */
  forwarded?: boolean;
  /** The replay claim of this request's delivery id, once taken. */
  claim?: RequestClaim;
}
