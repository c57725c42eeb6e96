import { type HttpServerLimits, limitHttpServer } from '@imagelib/config';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { Logger } from '../log.js';
import { agentMetrics } from '../metrics/agent-metrics.js';
import { observeRequest, serveMetrics } from '../metrics/request-observer.js';

export interface ImageServiceOptions {
  bindAddress: string;
  port: number;
  /** How long a stop waits for requests in flight before it closes their connections. */
  drainTimeoutMs: number;
  /** Headers and idle timeouts; uploads have no overall time limit. */
  limits: Omit<HttpServerLimits, 'requestTimeoutMs'>;
}

export type RequestHandler = (request: IncomingMessage, response: ServerResponse, fallbackHost: string) => void;

/** The HTTP server of the host's image service: listening, limits, metrics (GET /metrics) and a bounded graceful stop. */
export class ImageService {
  private readonly server: Server;

  constructor(
    private readonly options: ImageServiceOptions,
    handler: RequestHandler,
    private readonly log: Logger,
  ) {
    this.server = createServer((request, response) => {
      observeRequest(agentMetrics, this.log, request, response);
      if (!serveMetrics(agentMetrics, request, response)) handler(request, response, `${this.options.bindAddress}:${this.port}`);
    });
    limitHttpServer(this.server, { ...options.limits, requestTimeoutMs: 0 });
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
        this.log.info({ port: this.port }, 'image service listening');
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
}
