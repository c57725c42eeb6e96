import { closeSync } from 'node:fs';
import { addon } from './native.js';
import { Slots } from './slots.js';

/**
 * Bytes one pool task sends at most. A task never waits for the socket (it stops when the
 * socket's buffer is full, which bounds it more tightly still), so it holds its thread only while
 * the kernel reads the file and queues the bytes: at most 4 MiB, milliseconds.
 */
export const SLICE_BYTES = 4 * 1024 * 1024;

/**
 * Pool tasks of every sendFile together, at once: libuv has 4 pool threads by default
 * (UV_THREADPOOL_SIZE), shared with the file system, DNS and crypto; 2 are always left to them,
 * whatever the number of downloads. Downloads take turns by slice.
 */
export const MAX_SLICES_IN_FLIGHT = 2;

const slots = new Slots(MAX_SLICES_IN_FLIGHT);

export interface SendFileOptions {
  /** Stops the send between slices (and its wait for the socket): sendFile then resolves with what was sent. */
  signal?: AbortSignal;
  /** Called as bytes leave (once per slice that sent some), e.g. to count them or to keep the connection's idle timer going. */
  onSent?: (bytes: number) => void;
}

/**
 * Sends `length` bytes of the file from `offset` to the socket with sendfile(2), zero-copy:
 * slices of at most SLICE_BYTES in libuv's thread pool (at most MAX_SLICES_IN_FLIGHT at once),
 * and while the socket's buffer is full, a wait on the event loop, not in a thread. The socket fd
 * must be non-blocking (Node's are) and valid when called: it is duplicated at once, so that the
 * socket closed meanwhile never lets the bytes go to another file that got its number; nothing else
 * may write to the socket until this settles. Resolves with the bytes sent: `length`, or fewer
 * once the signal aborted. Rejects with the error of sendfile(2) (code EPIPE, ECONNRESET, ...;
 * EOF when the file ended before offset + length).
 */
export async function sendFile(socketFd: number, fileFd: number, offset: number, length: number, options: SendFileOptions = {}): Promise<number> {
  const { signal, onSent } = options;
  const socket = addon.dup(socketFd);
  let sent = 0;
  try {
    while (sent < length && !signal?.aborted) {
      const wanted = Math.min(SLICE_BYTES, length - sent);
      // Aborted while waiting for a slot: nothing more goes.
      const bytes = await slots.run(async () => (signal?.aborted ? 0 : addon.sendSlice(socket, fileFd, offset + sent, wanted)));
      if (bytes > 0) {
        sent += bytes;
        onSent?.(bytes);
      }
      if (bytes < wanted) await writable(socket, signal);
    }
    return sent;
  } finally {
    closeSync(socket);
  }
}

/** Resolves when the socket has room (or hung up or failed: the next sendfile says how), or once the signal aborted. */
function writable(fd: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      addon.stopWatching(watch);
      resolve();
    };
    const watch = addon.watchWritable(fd, () => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    });
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
