import type { Socket } from 'node:net';
import { TLSSocket } from 'node:tls';

/** The one place that reads Node's internal handle of a socket: a TCP or pipe handle has `fd` on Unix. */
interface HandleWithFd {
  fd?: unknown;
}

/**
 * The file descriptor of a connected socket, for sendFile; null when it has none (closed, not a
 * TCP or pipe socket, not Unix) or when its bytes must go through Node (TLS: sendfile would bypass
 * the encryption). Read it right before use: once the socket is destroyed its number may belong to
 * another file.
 */
export function socketFd(socket: Socket): number | null {
  if (socket instanceof TLSSocket || socket.destroyed) return null;
  const fd = (socket as unknown as { _handle?: HandleWithFd | null })._handle?.fd;
  return typeof fd === 'number' && Number.isSafeInteger(fd) && fd >= 0 ? fd : null;
}
