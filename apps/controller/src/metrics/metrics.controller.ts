import { Controller, Get, Header, Res } from '@nestjs/common';
import { ApiOkResponse, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { PublicRoute } from '../auth/operator-auth.guard.js';
import { FleetMetrics } from './fleet-metrics.js';
import { MetricsRegistry } from './metrics-registry.js';

@ApiTags('metrics')
@PublicRoute()
@Controller('metrics')
export class MetricsController {
  constructor(
    private readonly metrics: MetricsRegistry,
    private readonly fleet: FleetMetrics,
  ) {}

  @Get()
  @Header('Cache-Control', 'no-store')
  @ApiProduces('text/plain')
  @ApiOkResponse({ description: 'Prometheus text format: hosts, image statuses per host, REST requests, heartbeat lag, replication backlog, process and event-loop metrics (no token needed)' })
  async scrape(@Res() response: Response): Promise<void> {
    await this.fleet.refresh();
    response.type(this.metrics.contentType).send(await this.metrics.render());
  }
}
