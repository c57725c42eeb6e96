import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger } from '../log.js';
import type { AgentMetrics } from './agent-metrics.js';
import { imageApiRoute, methodLabel } from './image-api-route.js';

const FILE_ROUTE = '/v2/images/{id}/file';

/** What each keep-alive connection had read and written when its last request was counted. */
const counted = new WeakMap<Socket, { read: number; written: number }>();

/** Bytes each connection carried past Node's stream (downloads by sendfile(2)), which socket.bytesWritten leaves out. */
const writtenBeside = new WeakMap<Socket, number>();

/** Counts bytes written to the connection without Node's stream (sendfile(2)), as soon as they went. */
export function countBytesWrittenBeside(socket: Socket, bytes: number): void {
  writtenBeside.set(socket, (writtenBeside.get(socket) ?? 0) + bytes);
}

function bytesWritten(socket: Socket): number {
  return socket.bytesWritten + (writtenBeside.get(socket) ?? 0);
}

/**
 * Counts an image API request once its response has ended (or the client went away): requests,
 * durations, bytes both ways, and upload and download times; then logs one line. Bytes are read
 * off the connection (what it carried since its previous request), so the request and response
 * streams are left alone.
 */
export function observeRequest(metrics: AgentMetrics, log: Logger, request: IncomingMessage, response: ServerResponse): void {
  const started = process.hrtime.bigint();
  // Taken now: by the time the response closes, Node may have detached the request from its connection.
  const socket = request.socket;
  response.once('close', () => {
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const method = methodLabel(request.method);
    const route = imageApiRoute(request.url);
    const status = response.writableFinished ? response.statusCode : 499;
    const before = counted.get(socket) ?? { read: 0, written: 0 };
    const received = socket.bytesRead - before.read;
    const written = bytesWritten(socket);
    const sent = written - before.written;
    counted.set(socket, { read: socket.bytesRead, written });
    metrics.requests.inc({ method, route, status: String(status) });
    metrics.requestDuration.observe({ method, route }, seconds);
    metrics.bytesSent.inc({ route }, sent);
    metrics.bytesReceived.inc({ route }, received);
    if (route === FILE_ROUTE && method === 'PUT') metrics.uploadDuration.observe({ result: status < 300 ? 'ok' : 'failed' }, seconds);
    if (route === FILE_ROUTE && method === 'GET') metrics.downloadDuration.observe({ result: status < 300 ? 'ok' : 'failed' }, seconds);
    const requestId = response.getHeader('X-Openstack-Request-Id');
    const fields = { requestId, method, route, status, durationMs: Math.round(seconds * 1e6) / 1e3, bytesSent: sent, bytesReceived: received };
    if (route.startsWith('/v2/images')) log.info(fields, 'image API request');
    else log.debug(fields, 'image API request');
  });
}

/** Answers GET /metrics in Prometheus' text format; false for any other request. */
export function serveMetrics(metrics: AgentMetrics, request: IncomingMessage, response: ServerResponse): boolean {
  if (imageApiRoute(request.url) !== '/metrics') return false;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    response.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('Only GET is allowed on /metrics.\n');
    return true;
  }
  metrics.registry.metrics().then(
    (text) => {
      response.writeHead(200, { 'Content-Type': metrics.registry.contentType, 'Cache-Control': 'no-store' });
      response.end(request.method === 'HEAD' ? undefined : text);
    },
    (error: unknown) => response.writeHead(500, { 'Content-Type': 'text/plain; charset=utf-8' }).end(`cannot render the metrics: ${String(error)}\n`),
  );
  return true;
}
