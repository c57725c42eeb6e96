import type { IncomingMessage, ServerResponse } from 'node:http';
import { GlanceError, renderErrorPage } from './glance-error.js';
import { glanceJson } from './glance-json.js';

const MAX_JSON_BODY = 256 * 1024;

/** JSON spaced as glance (Python) writes it, so lengths match what clients saw from glance. */
export function sendJson(response: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const payload = glanceJson(body);
  response.writeHead(status, { ...headers, 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
  response.end(payload);
}

/** Glance answers 204s with an empty text/html body. */
export function sendNoContent(response: ServerResponse): void {
  response.writeHead(204, { 'Content-Type': 'text/html; charset=UTF-8', 'Content-Length': 0 });
  response.end();
}

/** The error page glance renders; a response already under way is cut off instead (the client sees it fail). */
export function sendError(response: ServerResponse, error: GlanceError, headers: Record<string, string> = {}): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const page = renderErrorPage(error);
  // Refused before the request's body was read to its end: the connection cannot carry another request.
  const unread = response.req && !response.req.complete ? { Connection: 'close' } : {};
  response.writeHead(error.status, { ...headers, ...unread, 'Content-Type': page.contentType, 'Content-Length': Buffer.byteLength(page.body) });
  response.end(page.body);
}

/** Reads a small request body (JSON documents), refusing more than MAX_JSON_BODY bytes with 413. */
export async function readSmallBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_JSON_BODY) throw GlanceError.requestEntityTooLarge(`The request body is larger than ${MAX_JSON_BODY} bytes.`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** The media type without parameters, lowercased. */
export function mediaType(request: IncomingMessage): string {
  return (request.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
}
