import { Injectable } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { Counter, Histogram } from 'prom-client';
import { MetricsRegistry } from './metrics-registry.js';
import { methodLabel, routeLabel, statusOf } from './route-label.js';

type Labels = 'method' | 'route' | 'status';

/** REST requests by method, route template and status, and how long they took. */
@Injectable()
export class HttpMetrics {
  private readonly requests: Counter<Labels>;
  private readonly duration: Histogram<Labels>;

  constructor(metrics: MetricsRegistry) {
    const registers = [metrics.registry];
    this.requests = new Counter({ name: 'imagelib_http_requests_total', help: 'REST requests answered, by method, route template and status', labelNames: ['method', 'route', 'status'], registers });
    this.duration = new Histogram({
      name: 'imagelib_http_request_duration_seconds',
      help: 'Time from the request until its response ended (for the event stream: how long it was open)',
      labelNames: ['method', 'route', 'status'],
      buckets: [0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 10, 60],
      registers,
    });
  }

  /** Express middleware counting every request once its response is finished or abandoned. */
  readonly middleware: RequestHandler = (request: Request, response: Response, next: NextFunction) => {
    const end = this.duration.startTimer();
    response.once('close', () => {
      const labels = { method: methodLabel(request.method), route: routeLabel(request), status: String(statusOf(response)) };
      this.requests.inc(labels);
      end(labels);
    });
    next();
  };
}
