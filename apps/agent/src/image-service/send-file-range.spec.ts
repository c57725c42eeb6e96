import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { mkdtemp, open, rm, truncate, writeFile } from 'node:fs/promises';
import { Agent, createServer, get, type IncomingMessage } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { AgentMetrics } from '../metrics/agent-metrics.js';
import { observeRequest } from '../metrics/request-observer.js';
import { sendFileRange } from './send-file-range.js';

const MiB = 1024 * 1024;
const IMAGE = '0b5c2e55-4f0e-4a35-9d0e-8d1b2f6f2a11';

/**
 * A real HTTP server on loopback that answers GET /v2/images/{id}/file?path=…&start=…&end=… with
 * bytes start..end of the file by sendFileRange, as the image service does (observed by the
 * metrics); the outcome of every send is recorded in order.
 */
function fileServer(metrics: AgentMetrics) {
  const outcomes: Array<boolean | Error> = [];
  const waiting: Array<() => void> = [];
  const server = createServer(async (request, response) => {
    observeRequest(metrics, pino({ level: 'silent' }), request, response);
    const query = new URL(request.url ?? '/', 'http://x').searchParams;
    const [start, end] = [Number(query.get('start')), Number(query.get('end'))];
    const file = await open(query.get('path') ?? '', 'r');
    try {
      response.writeHead(200, { 'Content-Length': end - start + 1 });
      outcomes.push(await sendFileRange(file, response, start, end));
    } catch (error) {
      outcomes.push(error as Error);
      response.destroy();
    } finally {
      await file.close();
      waiting.shift()?.();
    }
  });
  /** Resolves with the outcome of the n-th send (0-based) once it is known. */
  const outcome = async (n: number): Promise<boolean | Error> => {
    while (outcomes.length <= n) await new Promise<void>((resolve) => waiting.push(resolve));
    return outcomes[n] as boolean | Error;
  };
  return { server, outcome, count: () => outcomes.length };
}

function fileUrl(path: string, start: number, end: number): string {
  return `/v2/images/${IMAGE}/file?path=${encodeURIComponent(path)}&start=${start}&end=${end}`;
}

function fetchBody(port: number, path: string, agent?: Agent): Promise<{ body: Buffer; complete: boolean; socketPort: number }> {
  return new Promise((resolve, reject) => {
    get({ host: '127.0.0.1', port, path, agent }, (response: IncomingMessage) => {
      const chunks: Buffer[] = [];
      const socketPort = response.socket.localPort ?? 0;
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ body: Buffer.concat(chunks), complete: response.complete, socketPort }));
      response.on('error', () => resolve({ body: Buffer.concat(chunks), complete: false, socketPort }));
    }).on('error', reject);
  });
}

/** Starts a download and goes away once its first bytes arrived. */
function abortedDownload(port: number, path: string): Promise<void> {
  return new Promise((resolve) => {
    const request = get({ host: '127.0.0.1', port, path }, (response) => {
      response.once('data', () => {
        request.destroy();
        resolve();
      });
    });
    request.on('error', () => undefined);
  });
}

function openFds(): number {
  return readdirSync('/proc/self/fd').length;
}

function bytesSentCounter(metrics: AgentMetrics): Promise<number> {
  return metrics.bytesSent.get().then((metric) => metric.values.find((v) => v.labels.route === '/v2/images/{id}/file')?.value ?? 0);
}

describe('sendFileRange (sendfile(2) to the response connection)', () => {
  let directory: string;
  let path: string;
  let large: string;
  const data = randomBytes(5 * MiB + 123);
  const largeSize = 64 * MiB;
  const metrics = new AgentMetrics();
  const { server, outcome, count } = fileServer(metrics);
  let port: number;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'send-file-range-'));
    path = join(directory, 'image');
    await writeFile(path, data);
    large = join(directory, 'large');
    await writeFile(large, '');
    await truncate(large, largeSize);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
    await rm(directory, { recursive: true, force: true });
  });

  it.each([
    ['the whole file', 0, data.length - 1],
    ['one byte', 7, 7],
    ['an unaligned range', 4096 - 5, 3 * MiB + 11],
    ['the tail', data.length - 4097, data.length - 1],
  ])('sends %s byte for byte, and counts the bytes sent', async (_label, start, end) => {
    const sends = count();
    const before = await bytesSentCounter(metrics);
    const { body, complete } = await fetchBody(port, fileUrl(path, start, end));
    expect(complete).toBe(true);
    expect(body.equals(data.subarray(start, end + 1))).toBe(true);
    expect(await outcome(sends)).toBe(true);
    // The head and the body: what went by sendfile(2) is counted with what Node wrote.
    const counted = (await bytesSentCounter(metrics)) - before;
    expect(counted).toBeGreaterThan(end - start + 1);
    expect(counted).toBeLessThan(end - start + 1 + 1024);
  });

  it('keeps the connection alive: the next request on it is answered after a download', async () => {
    const agent = new Agent({ keepAlive: true, maxSockets: 1 });
    try {
      const first = await fetchBody(port, fileUrl(path, 0, data.length - 1), agent);
      const second = await fetchBody(port, fileUrl(path, 100, 200), agent);
      expect(second.socketPort).toBe(first.socketPort);
      expect(first.body.equals(data)).toBe(true);
      expect(second.body.equals(data.subarray(100, 201))).toBe(true);
    } finally {
      agent.destroy();
    }
  });

  it('answers pipelined requests in order, each once the one before it ended', async () => {
    const sends = count();
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    const request = (start: number, end: number) => `GET ${fileUrl(path, start, end)} HTTP/1.1\r\nHost: x\r\n\r\n`;
    socket.write(request(0, data.length - 1) + request(10, 19) + `GET ${fileUrl(path, 0, 0)} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`);
    await new Promise((resolve) => socket.on('close', resolve));
    const all = Buffer.concat(chunks);
    expect([await outcome(sends), await outcome(sends + 1), await outcome(sends + 2)]).toEqual([true, true, true]);
    const bodies: Buffer[] = [];
    for (let at = 0; at < all.length; ) {
      const headEnd = all.indexOf('\r\n\r\n', at);
      const length = Number(/content-length: (\d+)/i.exec(all.subarray(at, headEnd).toString())?.[1]);
      bodies.push(all.subarray(headEnd + 4, headEnd + 4 + length));
      at = headEnd + 4 + length;
    }
    expect(bodies.map((b) => b.length)).toEqual([data.length, 10, 1]);
    expect(bodies[0]!.equals(data)).toBe(true);
    expect(bodies[1]!.equals(data.subarray(10, 20))).toBe(true);
    expect(bodies[2]!.equals(data.subarray(0, 1))).toBe(true);
  });

  it('keeps a download going past the idle timeout while its bytes flow (Node sees no traffic of its own meanwhile)', async () => {
    const idleTimeoutMs = 2000;
    server.timeout = idleTimeoutMs;
    const sends = count();
    try {
      // A client reading about 16 MB/s: the 64 MiB take about two idle timeouts, with bytes moving all along.
      const received = await new Promise<number>((resolve) => {
        let bytes = 0;
        get({ host: '127.0.0.1', port, path: fileUrl(large, 0, largeSize - 1), agent: false }, (response) => {
          response.on('data', (chunk: Buffer) => {
            bytes += chunk.length;
            response.pause();
            setTimeout(() => response.resume(), Math.ceil(chunk.length / 16_000));
          });
          response.on('end', () => resolve(bytes));
          response.on('error', () => resolve(bytes));
        }).on('error', () => resolve(bytes));
      });
      expect(received).toBe(largeSize);
      expect(await outcome(sends)).toBe(true);
    } finally {
      server.timeout = 0;
    }
  }, 60_000);

  it('resolves false when the client goes away mid-download', async () => {
    const sends = count();
    await abortedDownload(port, fileUrl(large, 0, largeSize - 1));
    expect(await outcome(sends)).toBe(false);
  });

  it('stops every download whose client went away, leaves no descriptor open and goes on serving', async () => {
    // Warm, and no connection left open before counting.
    const warm = new Agent({ keepAlive: false });
    const warmSend = count();
    await fetchBody(port, fileUrl(path, 0, 10), warm);
    expect(await outcome(warmSend)).toBe(true);
    warm.destroy();
    server.closeAllConnections();
    const baseline = openFds();
    const sends = count();
    const aborted = 20;
    for (let round = 0; round < aborted / 5; round++) await Promise.all(Array.from({ length: 5 }, () => abortedDownload(port, fileUrl(large, 0, largeSize - 1))));
    for (let n = 0; n < aborted; n++) expect(await outcome(sends + n)).toBe(false);
    expect(openFds()).toBe(baseline);
    const { body, complete } = await fetchBody(port, fileUrl(path, 0, data.length - 1));
    expect(complete).toBe(true);
    expect(body.equals(data)).toBe(true);
  });

  it('rejects when the file is shorter than the range, and the client sees a short body of the right bytes', async () => {
    const shrunk = join(directory, 'shrunk');
    await writeFile(shrunk, data);
    await truncate(shrunk, 3 * MiB);
    const sends = count();
    const { body, complete } = await fetchBody(port, fileUrl(shrunk, 0, data.length - 1));
    expect(complete).toBe(false);
    expect(body.equals(data.subarray(0, 3 * MiB))).toBe(true);
    const error = await outcome(sends);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(`the file ended at byte ${3 * MiB}, before byte ${data.length - 1}`);
    expect((error as NodeJS.ErrnoException).code).toBe('EOF');
  });
});
