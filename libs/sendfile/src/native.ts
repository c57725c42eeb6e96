import { createRequire } from 'node:module';

/** An event-loop watch of a socket from watchWritable. */
export type Watch = { readonly __brand: 'sendfile-watch' };

/** The addon (src/sendfile.c, built by node-gyp into build/Release); the same path from src/ and dist/. */
export interface SendfileAddon {
  /** A close-on-exec duplicate of a non-blocking socket (ERR_BLOCKING_SOCKET otherwise), owned by the caller. */
  dup(fd: number): number;
  /** sendfile(2) in libuv's thread pool until `length` bytes went or the socket would block; rejects (code EPIPE, ECONNRESET, EOF, ...) only when no byte went. */
  sendSlice(socketFd: number, fileFd: number, offset: number, length: number): Promise<number>;
  /** Calls back once, on the event loop, when the socket has room, hung up or failed (the next sendSlice says which). */
  watchWritable(fd: number, callback: () => void): Watch;
  /** No call back from this watch any more; the socket is out of the event loop's poll set when it returns. */
  stopWatching(watch: Watch): void;
}

export const addon = createRequire(import.meta.url)('../build/Release/sendfile.node') as SendfileAddon;
