import type { Server } from 'node:http';

/** The limits an Image Library HTTP server holds its clients to. */
export interface HttpServerLimits {
  /** Time to send a request's complete headers, counted from the connection or the previous response: 408, then closed. A connection that sends nothing is closed by it too. */
  headersTimeoutMs: number;
  /** Time to send a whole request, body included; 0 for none (image uploads take as long as they take). */
  requestTimeoutMs: number;
  /** A connection on which nothing moves either way for this long is closed. */
  idleTimeoutMs: number;
}

export const HTTP_HEADERS_TIMEOUT_DEFAULT_MS = 30_000;
export const HTTP_IDLE_TIMEOUT_DEFAULT_MS = 300_000;
/** Node's own default, made explicit: larger headers are answered 431. */
export const MAX_HEADER_BYTES = 16 * 1024;
/** Headers past this many are ignored. */
const MAX_HEADERS_COUNT = 100;
/** An idle keep-alive connection is closed after this long. */
const KEEP_ALIVE_TIMEOUT_MS = 5_000;
/** How often Node looks for connections past the headers or request timeout (its default, 30 s, would let a slow client overstay by as much). */
const TIMEOUT_CHECK_MS = 1_000;

/**
 * Applies the limits to a server that is not listening yet (one created here, or Nest's). Slow
 * clients (headers or a body trickled byte by byte, connections opened and left silent) are cut
 * off by the timeouts; other clients are served meanwhile.
 */
export function limitHttpServer(server: Server, limits: HttpServerLimits): void {
  if (server.listening) throw new Error('HTTP limits must be set before the server listens');
  // Node reads these when the server starts listening and when a connection's parser is made;
  // @types/node leaves the last two out of Server's type.
  Object.assign(server, { maxHeaderSize: MAX_HEADER_BYTES, connectionsCheckingInterval: TIMEOUT_CHECK_MS });
  server.headersTimeout = limits.headersTimeoutMs;
  server.requestTimeout = limits.requestTimeoutMs;
  server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  server.maxHeadersCount = MAX_HEADERS_COUNT;
  server.timeout = limits.idleTimeoutMs;
}
