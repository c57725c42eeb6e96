import { afterEach, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import { connect } from 'node:net';
import { limitHttpServer } from './http-server-limits.js';

/** Writes `chunks` to the server one every `everyMs`, and resolves with what came back once the server closed the connection. */
function rawExchange(port: number, chunks: string[], everyMs = 0): Promise<{ answer: string; elapsedMs: number }> {
  return new Promise((resolve, reject) => {
    const started = Date.now();
    let answer = '';
    const socket = connect(port, '127.0.0.1');
    socket.on('data', (data) => (answer += data.toString('latin1')));
    socket.on('error', reject);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer, elapsedMs: Date.now() - started });
    });
    const queue = [...chunks];
    const timer = setInterval(() => {
      const next = queue.shift();
      if (next !== undefined && socket.writable) socket.write(next);
    }, everyMs);
  });
}

describe('HTTP server limits', () => {
  let server: Server;
  afterEach(() => new Promise<void>((resolve) => server.close(() => resolve())));

  async function start(limits = { headersTimeoutMs: 500, requestTimeoutMs: 0, idleTimeoutMs: 800 }): Promise<number> {
    server = createServer((request, response) => {
      request.resume();
      request.on('end', () => response.end('ok'));
    });
    limitHttpServer(server, limits);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return (server.address() as { port: number }).port;
  }

  it('answers 408 to headers trickled past the headers timeout, and to a connection that says nothing', async () => {
    const port = await start({ headersTimeoutMs: 500, requestTimeoutMs: 0, idleTimeoutMs: 5_000 });
    const trickled = await rawExchange(port, ['GET / HTTP/1.1\r\n', ...Array.from({ length: 100 }, (_, i) => `X-Slow-${i}: 1\r\n`)], 50);
    expect(trickled.answer).toMatch(/^HTTP\/1\.1 408 /);
    const silent = await rawExchange(port, []);
    expect(silent.answer).toMatch(/^HTTP\/1\.1 408 /);
  });

  it('answers 431 to headers over 16 KiB', async () => {
    const port = await start();
    const big = await rawExchange(port, [`GET / HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(17 * 1024)}\r\n\r\n`]);
    expect(big.answer).toMatch(/^HTTP\/1\.1 431 /);
  });

  it('closes a connection whose body stops moving', async () => {
    const port = await start();
    const stalled = await rawExchange(port, ['PUT / HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc']);
    expect(stalled.answer).toBe('');
  });

  it('refuses to change a server that already listens', async () => {
    await start();
    expect(() => limitHttpServer(server, { headersTimeoutMs: 1, requestTimeoutMs: 0, idleTimeoutMs: 1 })).toThrow('before the server listens');
  });
});
