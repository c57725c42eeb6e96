import { describe, expect, it } from '@jest/globals';
import { connect, createServer, Socket } from 'node:net';
import { TLSSocket } from 'node:tls';
import { socketFd } from './socket-fd.js';

describe('socketFd', () => {
  it('is the descriptor of a connected TCP socket, and null once it is destroyed', async () => {
    const server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const accepted = new Promise<Socket>((resolve) => server.once('connection', resolve));
    const client = connect((server.address() as { port: number }).port, '127.0.0.1');
    const socket = await accepted;
    try {
      const fd = socketFd(socket);
      expect(Number.isSafeInteger(fd)).toBe(true);
      expect(fd).toBeGreaterThan(2);
      socket.destroy();
      expect(socketFd(socket)).toBeNull();
    } finally {
      client.destroy();
      await new Promise((resolve) => server.close(resolve));
    }
  });

  it('is null for a TLS socket (its bytes must go through the encryption)', () => {
    const socket = new TLSSocket(connect({ port: 1, host: '127.0.0.1' }).on('error', () => undefined));
    socket.on('error', () => undefined);
    try {
      expect(socketFd(socket)).toBeNull();
    } finally {
      socket.destroy();
    }
  });

  it('is null for a socket that was never connected', () => {
    expect(socketFd(new Socket())).toBeNull();
  });
});
