import type { IncomingMessage } from 'node:http';
import type { SourceMatcher } from '../net/source-matcher.js';
import type { Address } from '../net/normalize-address.js';
import { HOP_BY_HOP, connectionListed } from './hop-by-hop.js';
import { HEADER } from './answers.js';

export interface UpstreamHeaderContext {
  readonly source: string;
  /** The socket's peer, parsed by trackRequest. */
  readonly peer: Address | undefined;
  readonly trustedPeer: SourceMatcher | undefined;
  readonly provider: string;
  readonly requestId: string;
}

// Set by hookguard; a copy sent by the client is dropped so the app can trust these.
const OWN = new Set(['x-forwarded-for', 'x-forwarded-proto', 'x-forwarded-host', 'forwarded', 'x-real-ip', 'hookguard-verified', 'hookguard-duplicate', 'x-request-id']);

/**
 * The headers the app receives, as a flat [name, value, ...] list in the client's order and case.
 * X-Forwarded-For carries the trusted chain: what trusted proxies appended, then the peer; a client
 * talking to us directly cannot inject entries into it.
 */
export function buildUpstreamHeaders(req: IncomingMessage, context: UpstreamHeaderContext): string[] {
  const raw = req.rawHeaders;
  const listed = connectionListed(req.headers.connection);
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) {
    const name = raw[i]!;
    const lower = name.toLowerCase();
    if (HOP_BY_HOP.has(lower) || OWN.has(lower) || listed.has(lower)) continue;
    out.push(name, raw[i + 1]!);
  }
  const peer = context.peer;
  const peerTrusted = peer !== undefined && context.trustedPeer !== undefined && context.trustedPeer.matches(peer);
  const priorFor = req.headers['x-forwarded-for'];
  const priorProto = req.headers['x-forwarded-proto'];
  const peerText = peer?.toString() ?? '';
  const forwardedFor = peerTrusted && typeof priorFor === 'string' && priorFor.trim() !== '' ? `${priorFor}, ${peerText}` : context.source || peerText;
  const proto = peerTrusted && typeof priorProto === 'string' && /^https?$/.test(priorProto) ? priorProto : (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  out.push('X-Forwarded-For', forwardedFor, 'X-Forwarded-Proto', proto, HEADER.verified, context.provider, HEADER.requestId, context.requestId);
  return out;
}
