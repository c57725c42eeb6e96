import { Logger } from '@nestjs/common';
import type { NextFunction, Request, RequestHandler, Response } from 'express';
import { randomUUID } from 'node:crypto';
import type { OperatorIdentity } from '../auth/operator-tokens.service.js';
import { methodLabel, routeLabel, statusOf } from '../metrics/route-label.js';

/** A request id a client or proxy may send; anything else is replaced by a new one. */
const REQUEST_ID = /^[\w.:@-]{1,128}$/;
/** Routes polled by machines: logged at debug level when they succeed. */
const QUIET_ROUTES = new Set(['/healthz', '/readyz', '/metrics']);

export type RequestWithId = Request & { id?: string; operator?: OperatorIdentity };

/**
 * One JSON log line per REST request, when its response ends: request id (the client's
 * X-Request-Id or a new UUID, returned in X-Request-Id), method, route template, path, status,
 * duration and the operator's token name. Never headers or the query string, which may hold a
 * token or an event stream ticket.
 */
export function requestLog(logger = new Logger('HTTP')): RequestHandler {
  return (request: RequestWithId, response: Response, next: NextFunction) => {
    const started = process.hrtime.bigint();
    const sent = request.headers['x-request-id'];
    const id = typeof sent === 'string' && REQUEST_ID.test(sent) ? sent : randomUUID();
    request.id = id;
    response.setHeader('X-Request-Id', id);
    response.once('close', () => {
      const route = routeLabel(request);
      const status = statusOf(response);
      const fields = {
        requestId: id,
        method: methodLabel(request.method),
        route,
        path: request.path.slice(0, 512),
        status,
        durationMs: Number((process.hrtime.bigint() - started) / 1000n) / 1000,
        ...(request.operator ? { operator: request.operator.name } : {}),
      };
      const message = `${fields.method} ${fields.path} ${status}`;
      if (status >= 500) logger.warn(message, fields);
      else if (status < 400 && QUIET_ROUTES.has(route)) logger.debug(message, fields);
      else logger.log(message, fields);
    });
    next();
  };
}
