import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { openSync, closeSync, readdirSync } from 'node:fs';
import { mkdtemp, open, readFile, rm, truncate, writeFile } from 'node:fs/promises';
import { connect, createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { MAX_SLICES_IN_FLIGHT, sendFile, SLICE_BYTES } from './send-file.js';
import { socketFd } from './socket-fd.js';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/** A connected pair over loopback TCP: `server` is the accepted socket sendFile writes to, `client` the peer reading it. */
interface Connection {
  server: Socket;
  client: Socket;
  /** Everything the client has read so far. */
  received(): Buffer;
  /** Resolves with everything the client read once the server's side ended or the connection closed. */
  ended: Promise<Buffer>;
}

let listener: Server;
let port: number;
const accepted: Array<(socket: Socket) => void> = [];

async function connection({ paused = false } = {}): Promise<Connection> {
  const serverSide = new Promise<Socket>((resolve) => accepted.push(resolve));
  const client = connect(port, '127.0.0.1');
  const chunks: Buffer[] = [];
  const ended = new Promise<Buffer>((resolve) => {
    client.on('data', (chunk: Buffer) => chunks.push(chunk));
    client.on('end', () => resolve(Buffer.concat(chunks)));
    client.on('close', () => resolve(Buffer.concat(chunks)));
    client.on('error', () => undefined);
  });
  if (paused) client.pause();
  await new Promise<void>((resolve) => client.once('connect', () => resolve()));
  const server = await serverSide;
  server.on('error', () => undefined);
  return { server, client, received: () => Buffer.concat(chunks), ended };
}

function fdOf(socket: Socket): number {
  const fd = socketFd(socket);
  if (fd === null) throw new Error('the socket has no fd');
  return fd;
}

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

/** Resolves once `sent()` reached at least `bytes`, checking on every onSent call. */
function progress() {
  let total = 0;
  const waiters: Array<{ bytes: number; resolve: () => void }> = [];
  return {
    onSent: (bytes: number) => {
      total += bytes;
      for (const waiter of waiters.filter((w) => total >= w.bytes)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    },
    sent: () => total,
    reached: (bytes: number) => new Promise<void>((resolve) => (total >= bytes ? resolve() : waiters.push({ bytes, resolve }))),
  };
}

describe('sendFile', () => {
  let directory: string;
  let path: string;
  let fileFd: number;
  const data = randomBytes(3 * SLICE_BYTES + 12345);

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'sendfile-'));
    path = join(directory, 'data');
    await writeFile(path, data);
    fileFd = openSync(path, 'r');
    listener = createServer((socket) => accepted.shift()?.(socket));
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    port = (listener.address() as { port: number }).port;
  });

  afterAll(async () => {
    closeSync(fileFd);
    await new Promise((resolve) => listener.close(resolve));
    await rm(directory, { recursive: true, force: true });
  });

  it.each([
    ['the whole file (several slices, more than a socket buffer)', 0, data.length],
    ['one byte', 7, 1],
    ['an unaligned range across slices', SLICE_BYTES - 5, SLICE_BYTES + 11],
    ['the tail', data.length - 4097, 4097],
  ])('sends %s byte for byte', async (_label, offset, length) => {
    const { server, ended } = await connection();
    const counted = progress();
    expect(await sendFile(fdOf(server), fileFd, offset, length, { onSent: counted.onSent })).toBe(length);
    expect(counted.sent()).toBe(length);
    server.end();
    expect((await ended).equals(data.subarray(offset, offset + length))).toBe(true);
  });

  it('sends nothing for a length of 0, and keeps no descriptor', async () => {
    const { server, ended } = await connection();
    const before = openFds();
    expect(await sendFile(fdOf(server), fileFd, 10, 0)).toBe(0);
    expect(openFds()).toBe(before);
    server.end();
    expect((await ended).length).toBe(0);
  });

  it('sends from offsets past 4 GiB (a sparse file)', async () => {
    const sparse = join(directory, 'sparse');
    const marker = randomBytes(64 * 1024);
    const at = 4 * GiB + 4096 + 7;
    await writeFile(sparse, '');
    await truncate(sparse, 5 * GiB);
    const handle = await open(sparse, 'r+');
    try {
      await handle.write(marker, 0, marker.length, at);
      const { server, ended } = await connection();
      expect(await sendFile(fdOf(server), handle.fd, at - 100, marker.length + 200)).toBe(marker.length + 200);
      server.end();
      expect((await ended).equals(Buffer.concat([Buffer.alloc(100), marker, Buffer.alloc(100)]))).toBe(true);
    } finally {
      await handle.close();
    }
  });

  it('sends what the file has, then rejects with EOF when it ends before the range does', async () => {
    const { server, ended } = await connection();
    const counted = progress();
    await expect(sendFile(fdOf(server), fileFd, data.length - 1000, 5000, { onSent: counted.onSent })).rejects.toMatchObject({ code: 'EOF', syscall: 'sendfile' });
    expect(counted.sent()).toBe(1000);
    server.end();
    expect((await ended).equals(data.subarray(data.length - 1000))).toBe(true);
  });

  it('holds no pool thread while its clients stop reading, and rejects once they go away', async () => {
    // More stalled sends than libuv has pool threads (4): the file system must still answer meanwhile.
    const stalled = await Promise.all(Array.from({ length: 6 }, () => connection({ paused: true })));
    const sends = stalled.map(({ server }) => {
      const counted = progress();
      const outcome = sendFile(fdOf(server), fileFd, 0, data.length, { onSent: counted.onSent }).then(
        (sent) => ({ sent }),
        (error: NodeJS.ErrnoException) => ({ error }),
      );
      return { counted, outcome };
    });
    await Promise.all(sends.map(({ counted }) => counted.reached(1)));
    expect((await readFile(path)).length).toBe(data.length);
    for (const { counted } of sends) expect(counted.sent()).toBeLessThan(data.length);
    for (const { client } of stalled) client.destroy();
    for (const { outcome } of sends) {
      const result = await outcome;
      expect(result).toHaveProperty('error');
      expect(['EPIPE', 'ECONNRESET']).toContain((result as { error: NodeJS.ErrnoException }).error.code);
    }
    for (const { server } of stalled) server.destroy();
  });

  it('stops when its signal aborts while the client does not read, and closes its duplicate of the socket', async () => {
    const { server, client, ended } = await connection({ paused: true });
    const before = openFds();
    const controller = new AbortController();
    const counted = progress();
    const sending = sendFile(fdOf(server), fileFd, 0, data.length, { signal: controller.signal, onSent: counted.onSent });
    await counted.reached(1);
    controller.abort();
    const sent = await sending;
    expect(sent).toBe(counted.sent());
    expect(sent).toBeLessThan(data.length);
    expect(openFds()).toBe(before);
    // What went out is the file's beginning, and the connection still works for whoever owns it.
    server.end();
    client.resume();
    expect((await ended).equals(data.subarray(0, sent))).toBe(true);
  });

  it('sends on its own duplicate of the socket: a socket Node closed meanwhile never lets bytes go to a file that got its number', async () => {
    const { server, client, ended } = await connection({ paused: true });
    const controller = new AbortController();
    const counted = progress();
    const sending = sendFile(fdOf(server), fileFd, 0, data.length, { signal: controller.signal, onSent: counted.onSent });
    await counted.reached(1);
    const before = counted.sent();
    server.destroy();
    // The lowest free number, which Node's close just gave back, goes to the next file opened.
    const other = join(directory, 'other');
    const otherFd = openSync(other, 'w+');
    try {
      client.resume();
      await counted.reached(before + 1);
      controller.abort();
      const sent = await sending;
      expect((await readFile(other)).length).toBe(0);
      expect((await ended).equals(data.subarray(0, sent))).toBe(true);
    } finally {
      closeSync(otherFd);
    }
  });

  it('refuses a descriptor that is not non-blocking (sendfile would hold a pool thread)', async () => {
    const blocking = openSync(path, 'r');
    try {
      await expect(sendFile(blocking, fileFd, 0, 10)).rejects.toMatchObject({ code: 'ERR_BLOCKING_SOCKET' });
    } finally {
      closeSync(blocking);
    }
  });

  it('serves several sends at once, every one whole (they take turns for the pool by slice)', async () => {
    const connections = await Promise.all(Array.from({ length: MAX_SLICES_IN_FLIGHT + 3 }, () => connection()));
    const sent = await Promise.all(connections.map(({ server }) => sendFile(fdOf(server), fileFd, 0, data.length)));
    expect(sent).toEqual(connections.map(() => data.length));
    for (const { server } of connections) server.end();
    for (const { ended } of connections) expect((await ended).equals(data)).toBe(true);
  });
});
