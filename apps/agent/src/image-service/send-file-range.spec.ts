import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { mkdtemp, open, rm, truncate, writeFile } from 'node:fs/promises';
import { createServer, get, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BufferPool } from './buffer-pool.js';
import { sendFileRange } from './send-file-range.js';

const BUFFER = 4096;

/** A real HTTP server on loopback that sends bytes start..end of `path` with sendFileRange; the outcome of each send is recorded. */
function fileServer(path: string, pool: BufferPool, range: { start: number; end: number }) {
  const outcomes: Array<boolean | Error> = [];
  let settled: (() => void) | null = null;
  const server = createServer(async (_request, response) => {
    const file = await open(path, 'r');
    try {
      response.writeHead(200, { 'Content-Length': range.end - range.start + 1 });
      outcomes.push(await sendFileRange(file, response, range.start, range.end, pool));
    } catch (error) {
      outcomes.push(error as Error);
      response.destroy();
    } finally {
      await file.close();
      settled?.();
    }
  });
  const outcome = () => new Promise<boolean | Error>((resolve) => (outcomes.length ? resolve(outcomes[0]) : (settled = () => resolve(outcomes[0]))));
  return { server, outcome };
}

async function listen(server: Server): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return (server.address() as AddressInfo).port;
}

function fetchBody(port: number): Promise<{ body: Buffer; complete: boolean }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path: '/' }, (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ body: Buffer.concat(chunks), complete: response.complete }));
      response.on('error', () => resolve({ body: Buffer.concat(chunks), complete: false }));
    }).on('error', reject);
  });
}

describe('sendFileRange', () => {
  let directory: string;
  let path: string;
  const data = randomBytes(10 * BUFFER + 123);

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'send-file-range-'));
    path = join(directory, 'image');
    await writeFile(path, data);
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it.each([
    ['the whole file', 0, data.length - 1],
    ['one byte', 7, 7],
    ['a range across buffers, unaligned', BUFFER - 5, 3 * BUFFER + 11],
    ['the tail', data.length - BUFFER - 1, data.length - 1],
  ])('sends %s byte for byte and gives every buffer back', async (_label, start, end) => {
    const pool = new BufferPool(BUFFER, 4);
    const { server, outcome } = fileServer(path, pool, { start, end });
    try {
      const { body, complete } = await fetchBody(await listen(server));
      expect(complete).toBe(true);
      expect(body.equals(data.subarray(start, end + 1))).toBe(true);
      expect(await outcome()).toBe(true);
      expect(pool.idleCount).toBeGreaterThan(0);
      expect(pool.idleCount).toBeLessThanOrEqual(2);
    } finally {
      server.close();
    }
  });

  it('resolves false when the client goes away mid-download', async () => {
    const large = join(directory, 'large');
    await writeFile(large, randomBytes(64 * 1024 * 1024));
    const pool = new BufferPool(BUFFER, 4);
    const { server, outcome } = fileServer(large, pool, { start: 0, end: 64 * 1024 * 1024 - 1 });
    try {
      const port = await listen(server);
      await new Promise<void>((resolve) => {
        const request = get({ host: '127.0.0.1', port, path: '/' }, (response) => {
          response.once('data', () => {
            request.destroy();
            resolve();
          });
        });
        request.on('error', () => undefined);
      });
      expect(await outcome()).toBe(false);
    } finally {
      server.close();
    }
  });

  it('rejects when the file is shorter than the range (the client then sees a short body)', async () => {
    const shrunk = join(directory, 'shrunk');
    await writeFile(shrunk, data);
    const pool = new BufferPool(BUFFER, 4);
    const { server, outcome } = fileServer(shrunk, pool, { start: 0, end: data.length - 1 });
    await truncate(shrunk, 3 * BUFFER);
    try {
      const { body, complete } = await fetchBody(await listen(server));
      expect(complete).toBe(false);
      expect(body.equals(data.subarray(0, body.length))).toBe(true);
      const error = await outcome();
      expect(error).toBeInstanceOf(Error);
      expect((error as Error).message).toBe(`the file ended at byte ${3 * BUFFER}, before byte ${data.length - 1}`);
    } finally {
      server.close();
    }
  });
});
