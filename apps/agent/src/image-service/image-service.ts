import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import { versionsDocument } from './versions-document.js';

export interface ImageServiceOptions {
  bindAddress: string;
  port: number;
  repositoryPath: string;
  /** How long a stop waits for requests in flight before it closes their connections. */
  drainTimeoutMs: number;
}

/** The host's image service (Glance v2 compatible HTTP API). */
export class ImageService {
  private readonly server: Server;

  constructor(
    private readonly options: ImageServiceOptions,
    private readonly log: Logger,
  ) {
    this.server = createServer((request, response) => this.handle(request, response));
    this.server.headersTimeout = 30_000;
    this.server.requestTimeout = 0;
    this.server.keepAliveTimeout = 5_000;
  }

  get port(): number {
    const address = this.server.address();
    return typeof address === 'object' && address ? address.port : this.options.port;
  }

  /** Resolves once the service listens; rejects with the listen error (EADDRINUSE, EACCES, ...). */
  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      const onError = (error: Error) => reject(error);
      this.server.once('error', onError);
      this.server.listen(this.options.port, this.options.bindAddress, () => {
        this.server.off('error', onError);
        this.log.info({ port: this.port, repositoryPath: this.options.repositoryPath }, 'image service listening');
        resolve();
      });
    });
  }

  /** Stops accepting, lets requests in flight finish for up to drainTimeoutMs, then closes what is left. */
  stop(): Promise<void> {
    return new Promise((resolve) => {
      const force = setTimeout(() => this.server.closeAllConnections(), this.options.drainTimeoutMs);
      this.server.close(() => {
        clearTimeout(force);
        this.log.info({ port: this.port }, 'image service stopped');
        resolve();
      });
      this.server.closeIdleConnections();
    });
  }

  private handle(request: IncomingMessage, response: ServerResponse): void {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method !== 'GET' && request.method !== 'HEAD') return send(response, 405, { error: { code: 405, title: 'Method Not Allowed', message: `${request.method} is not allowed on ${path}` } });
    const fallbackHost = `${this.options.bindAddress}:${this.port}`;
    switch (path) {
      case '/':
        return send(response, 300, versionsDocument(request.headers.host, fallbackHost));
      case '/versions':
        return send(response, 200, versionsDocument(request.headers.host, fallbackHost));
      case '/healthz':
        return send(response, 200, { status: 'ok' });
      default:
        return send(response, 404, { error: { code: 404, title: 'Not Found', message: `${path} is not served here` } });
    }
  }
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
  response.end(payload);
}
