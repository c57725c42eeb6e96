import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { pino } from 'pino';
import { AgentMetrics } from './agent-metrics.js';
import { imageApiRoute } from './image-api-route.js';
import { observeRequest, serveMetrics } from './request-observer.js';

const IMAGE = '0b5c2e55-4f0e-4a35-9d0e-8d1b2f6f2a11';
const DATA = Buffer.alloc(256 * 1024, 7);

describe('image API route templates', () => {
  it.each([
    ['/', '/'],
    ['/versions', '/versions'],
    ['/v2/images?limit=3&marker=x', '/v2/images'],
    [`/v2/images/${IMAGE}`, '/v2/images/{id}'],
    [`/v2/images/${IMAGE}/file`, '/v2/images/{id}/file'],
    [`/v2/images/${IMAGE}/tags/any%20tag`, '/v2/images/{id}/tags/{tag}'],
    [`/v2/images/${IMAGE}/actions/deactivate`, '/v2/images/{id}/actions/deactivate'],
    [`/v2/images/${IMAGE}/actions/explode`, 'other'],
    ['/v2/schemas/image', '/v2/schemas/{name}'],
    ['/v2/schemas/anything-else', 'other'],
    ['/etc/passwd', 'other'],
  ])('%s → %s', (url, route) => expect(imageApiRoute(url)).toBe(route));
});

describe('observeRequest and serveMetrics', () => {
  const metrics = new AgentMetrics();
  let server: Server;
  let base = '';

  beforeAll(async () => {
    server = createServer((request, response) => {
      observeRequest(metrics, pino({ level: 'silent' }), request, response);
      if (serveMetrics(metrics, request, response)) return;
      if (request.method === 'PUT') {
        request.resume();
        request.on('end', () => response.writeHead(204).end());
        return;
      }
      response.writeHead(200, { 'Content-Length': DATA.length }).end(DATA);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('counts requests, bytes both ways and transfer times by route template, never by image id', async () => {
    for (let i = 0; i < 2; i++) expect((await (await fetch(`${base}/v2/images/${IMAGE}/file`)).arrayBuffer()).byteLength).toBe(DATA.length);
    expect((await fetch(`${base}/v2/images/${IMAGE}/file`, { method: 'PUT', body: DATA, headers: { 'Content-Type': 'application/octet-stream' } })).status).toBe(204);
    const text = await (await fetch(`${base}/metrics`)).text();
    expect(text).not.toContain(IMAGE);
    expect(text).toContain('imagelib_image_api_requests_total{method="GET",route="/v2/images/{id}/file",status="200"} 2');
    expect(text).toContain('imagelib_image_api_requests_total{method="PUT",route="/v2/images/{id}/file",status="204"} 1');
    expect(text).toContain('imagelib_image_download_duration_seconds_count{result="ok"} 2');
    expect(text).toContain('imagelib_image_upload_duration_seconds_count{result="ok"} 1');
    const sent = Number(/imagelib_image_api_bytes_sent_total\{route="\/v2\/images\/\{id\}\/file"\} (\d+)/.exec(text)?.[1]);
    const received = Number(/imagelib_image_api_bytes_received_total\{route="\/v2\/images\/\{id\}\/file"\} (\d+)/.exec(text)?.[1]);
    expect(sent).toBeGreaterThanOrEqual(2 * DATA.length);
    expect(sent).toBeLessThan(2 * DATA.length + 4096);
    expect(received).toBeGreaterThanOrEqual(DATA.length);
    expect(received).toBeLessThan(DATA.length + 4096);
    expect(text).toContain('nodejs_eventloop_lag_seconds');
  });

  it('answers 405 to anything but GET and HEAD on /metrics', async () => {
    const response = await fetch(`${base}/metrics`, { method: 'POST' });
    expect(response.status).toBe(405);
    expect(response.headers.get('allow')).toBe('GET, HEAD');
  });
});
