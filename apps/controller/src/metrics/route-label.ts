import type { Request, Response } from 'express';

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS']);

/** The route template that answered (e.g. `/api/v1/hosts/:id`), never the path with its ids; `unmatched` for 404s. */
export function routeLabel(request: Request): string {
  const path: unknown = (request.route as { path?: unknown } | undefined)?.path;
  return typeof path === 'string' ? path : 'unmatched';
}

/** The status sent, or 499 (as nginx logs it) when the client went away before the response ended. */
export function statusOf(response: Response): number {
  return response.writableFinished ? response.statusCode : 499;
}

/** The method, or `other` for anything unusual, so that clients cannot mint label values. */
export function methodLabel(method: string): string {
  return METHODS.has(method) ? method : 'other';
}
