import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { limitHttpServer } from '@imagelib/config';
import { ImageApi } from '@imagelib/glance';
import { createServer, type Server } from 'node:http';
import { CONTROLLER_CONFIG, type ControllerConfig } from '../config/controller-config.js';
import { FrontDoorBackend } from './front-door-backend.js';

/** How long a stop lets requests in flight (uploads being relayed) finish before their connections close. */
const DRAIN_MS = 5_000;

/**
 * The Glance v2 front door (IMAGELIB_IMAGE_API_PORT): one URL for clients that know only one.
 * Listens before the REST API does, stops before the store closes.
 */
@Injectable()
export class FrontDoorServer implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(FrontDoorServer.name);
  private server: Server | null = null;

  constructor(
    @Inject(CONTROLLER_CONFIG) private readonly config: ControllerConfig,
    private readonly backend: FrontDoorBackend,
  ) {}

  async onApplicationBootstrap(): Promise<void> {
    const settings = this.config.imageApi;
    if (!settings) return;
    const api = new ImageApi(this.backend);
    const server = createServer((request, response) => api.handle(request, response, `${settings.host}:${settings.port}`));
    limitHttpServer(server, { ...this.config.httpLimits, requestTimeoutMs: 0 });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(settings.port, settings.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    this.logger.log(`Glance front door listening on http://${settings.host}:${settings.port}`);
  }

  async beforeApplicationShutdown(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = null;
    await new Promise<void>((resolve) => {
      const force = setTimeout(() => server.closeAllConnections(), DRAIN_MS);
      server.close(() => {
        clearTimeout(force);
        resolve();
      });
      server.closeIdleConnections();
    });
  }
}
