import type { Socket } from 'node:net';
import { normalizeAddress, type Address } from './normalize-address.js';

const parsed = new WeakMap<Socket, { address: Address | undefined; text: string }>();

function entryOf(socket: Socket): { address: Address | undefined; text: string } {
  let entry = parsed.get(socket);
  if (!entry) {
    // A keep-alive connection carries many requests from one peer: parse its address once.
    const address = normalizeAddress(socket.remoteAddress);
    entry = { address, text: address?.toString() ?? '' };
    parsed.set(socket, entry);
  }
  return entry;
}

/** The socket's peer address, parsed once per connection. */
export function peerAddress(socket: Socket): Address | undefined {
  return entryOf(socket).address;
}

/** Its text form (IPv4-mapped IPv6 shown as IPv4). */
export function peerText(socket: Socket): string {
  return entryOf(socket).text;
}
