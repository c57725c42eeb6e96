import { sendFile, socketFd } from '@imagelib/sendfile';
import type { FileHandle } from 'node:fs/promises';
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import { countBytesWrittenBeside } from '../metrics/request-observer.js';

/** Errors of sendfile(2) that say the connection is gone (the client went away or the link broke), not the file. */
const CONNECTION_GONE = new Set(['EPIPE', 'ECONNRESET', 'ENOTCONN', 'ECONNABORTED', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENETDOWN']);

const NOTHING = Buffer.alloc(0);

/**
 * Sends bytes `start` to `end` (inclusive) of the file as the body of the response (its head
 * already set, with its Content-Length: there is no chunked framing), then ends it. The bytes go
 * from the page cache to the socket by sendfile(2) (@imagelib/sendfile), never through this
 * process: the head is written first and the socket's write queue left empty, then nothing is
 * written to the socket through Node until the body went, and the connection stays usable for the
 * client's next request. Bytes sent are counted for the metrics and keep the connection's idle
 * timeout from firing while they flow. Resolves true when all was sent, false when the client went
 * away first (the work stops within one slice); rejects with code EOF if the file ended before
 * `end` (the caller then drops the connection: the client sees a short body, never wrong bytes).
 */
export async function sendFileRange(file: FileHandle, response: ServerResponse, start: number, end: number): Promise<boolean> {
  const socket = await headWritten(response);
  if (!socket) return false;
  const fd = socketFd(socket);
  if (fd === null) throw new Error('the connection has no file descriptor to send the image data to with sendfile(2)');
  const gone = new AbortController();
  const onClose = () => gone.abort();
  response.once('close', onClose);
  const length = end - start + 1;
  let sent = 0;
  try {
    await sendFile(fd, file.fd, start, length, {
      signal: gone.signal,
      onSent: (bytes) => {
        sent += bytes;
        countBytesWrittenBeside(socket, bytes);
        // Node sees no traffic of its own on the connection meanwhile: its idle timer starts again.
        if (socket.timeout) socket.setTimeout(socket.timeout);
      },
    });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? '';
    if (CONNECTION_GONE.has(code)) {
      response.destroy();
      return false;
    }
    if (code === 'EOF') throw Object.assign(new Error(`the file ended at byte ${start + sent}, before byte ${end}`), { code, cause: error });
    throw error;
  } finally {
    response.off('close', onClose);
  }
  if (sent < length) return false;
  response.end();
  return true;
}

/**
 * Writes the response's head and resolves with its connection once everything written to it so
 * far has gone to the kernel (an empty write calls back after all before it); null if the client
 * went away first (a write on a connection already closed may never call back: 'close' settles it).
 * A response to a pipelined request gets its connection once the responses before it ended.
 */
async function headWritten(response: ServerResponse): Promise<Socket | null> {
  const socket = response.socket ?? (await connectionOf(response));
  if (!socket || response.destroyed) return null;
  return new Promise((resolve) => {
    const onClose = () => resolve(null);
    response.once('close', onClose);
    response.flushHeaders();
    socket.write(NOTHING, (error) => {
      response.off('close', onClose);
      resolve(error || socket.destroyed ? null : socket);
    });
  });
}

/** The connection Node gives the response when its turn comes; null if it closes first. */
function connectionOf(response: ServerResponse): Promise<Socket | null> {
  return new Promise((resolve) => {
    const onSocket = (socket: Socket) => {
      response.off('close', onClose);
      resolve(socket);
    };
    const onClose = () => {
      response.off('socket', onSocket);
      resolve(null);
    };
    response.once('socket', onSocket);
    response.once('close', onClose);
  });
}
