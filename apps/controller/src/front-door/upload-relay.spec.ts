import { afterEach, beforeAll, describe, expect, it } from '@jest/globals';
import { Logger } from '@nestjs/common';
import { type ImageRecord, sendError, toGlanceError } from '@imagelib/glance';
import type { CatalogRepository } from '@imagelib/store';
import { createHash, randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { FleetPresence } from '../cluster/fleet-presence.js';
import type { HealthyHost } from '../endpoints/endpoints.service.js';
import type { DataHosts } from './data-hosts.js';
import { UploadRelay } from './upload-relay.js';

const IMAGE_ID = '6f1c1a52-8b0e-4c43-9d7e-2f7f2b1c0a11';
const image = { id: IMAGE_ID } as ImageRecord;
const md5 = (data: Buffer) => createHash('md5').update(data).digest('hex');

/** Real HTTP servers on loopback, closed after each test. */
const servers: Server[] = [];
async function listen(handler: (request: IncomingMessage, response: ServerResponse) => void): Promise<string> {
  const server = createServer(handler);
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A host that stores what it is sent and answers 204 (or `status`). */
async function storingHost(status = 204): Promise<{ host: HealthyHost; received: () => Buffer; headers: () => IncomingMessage['headers'] }> {
  const chunks: Buffer[] = [];
  let headers: IncomingMessage['headers'] = {};
  const url = await listen((request, response) => {
    headers = request.headers;
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => response.writeHead(status, { 'Content-Type': 'text/html; charset=UTF-8' }).end(status === 204 ? '' : `<h1>${status}</h1>`));
  });
  return { host: hostAt(url, 'storing'), received: () => Buffer.concat(chunks), headers: () => headers };
}

function hostAt(url: string, hostname: string): HealthyHost {
  return { hostId: hostname, hostname, url, freeBytes: null };
}

async function closedPort(): Promise<HealthyHost> {
  const url = await listen(() => undefined);
  const server = servers.pop()!;
  await new Promise((resolve) => server.close(resolve));
  return hostAt(url, 'closed');
}

/** The front door's PUT in front of the relay, and a client sending `data` through it. */
async function upload(hosts: HealthyHost[], data: Buffer, imageStatus = 'queued'): Promise<{ status: number; body: string }> {
  const relay = new UploadRelay(
    { forUpload: async () => hosts } as unknown as DataHosts,
    { findById: async () => ({ revision: 1, status: imageStatus }) } as unknown as CatalogRepository,
    { catalogAcked: () => null, heartbeatIntervalMs: 100 } as unknown as FleetPresence,
  );
  const door = await listen((request, response) => {
    relay.relay(image, request, response).catch((error: unknown) => sendError(response, toGlanceError(error)));
  });
  const answer = await fetch(`${door}/v2/images/${IMAGE_ID}/file`, {
    method: 'PUT',
    headers: { 'Content-Type': 'application/octet-stream', 'X-Auth-Token': 'token-1', 'Content-MD5': md5(data) },
    body: new Uint8Array(data),
  });
  return { status: answer.status, body: await answer.text() };
}

describe('UploadRelay', () => {
  beforeAll(() => Logger.overrideLogger(false));
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((resolve) => server.close(resolve))));
  });

  it('streams the body to a host with the headers it checks, and relays its answer', async () => {
    const target = await storingHost();
    const data = randomBytes(3 * 1024 * 1024 + 7);
    expect(await upload([target.host], data)).toEqual({ status: 204, body: '' });
    expect(target.received().equals(data)).toBe(true);
    expect(target.headers()).toMatchObject({ 'x-auth-token': 'token-1', 'content-md5': md5(data), 'content-type': 'application/octet-stream', expect: '100-continue' });
  });

  it('tries the next host when a host refuses the connection', async () => {
    const target = await storingHost();
    const data = randomBytes(100_000);
    expect((await upload([await closedPort(), target.host], data)).status).toBe(204);
    expect(target.received().equals(data)).toBe(true);
  });

  it('sends the body again from its first byte to the next host after a 503 that left the image queued', async () => {
    const refusing = hostAt(await listen((_request, response) => response.writeHead(503).end('not here')), 'refusing');
    const target = await storingHost();
    const data = randomBytes(1024 * 1024);
    expect((await upload([refusing, target.host], data)).status).toBe(204);
    expect(target.received().equals(data)).toBe(true);
  });

  it('relays a refusal of the host\'s own (409) without trying another host', async () => {
    const conflict = await storingHost(409);
    const other = await storingHost();
    expect(await upload([conflict.host, other.host], randomBytes(1000))).toEqual({ status: 409, body: '<h1>409</h1>' });
    expect(other.received().length).toBe(0);
  });

  it('fails with 503 when a host breaks off after more was sent than can be sent again', async () => {
    const breaking = hostAt(
      await listen((request) => {
        let bytes = 0;
        request.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > 5 * 1024 * 1024) request.socket.destroy();
        });
      }),
      'breaking',
    );
    const other = await storingHost();
    const answer = await upload([breaking, other.host], randomBytes(8 * 1024 * 1024));
    expect(answer.status).toBe(503);
    expect(answer.body).toMatch(new RegExp(`The upload of image ${IMAGE_ID} to host breaking failed after \\d+ bytes \\(.+\\), too far in to send it to another host; image ${IMAGE_ID} is queued: upload its data again.`));
    expect(other.received().length).toBe(0);
  });

  it('does not send the data elsewhere when the broken attempt left the image killed', async () => {
    const breaking = hostAt(await listen((request) => request.once('data', () => request.socket.destroy())), 'breaking');
    const other = await storingHost();
    const answer = await upload([breaking, other.host], randomBytes(100_000), 'killed');
    expect(answer.status).toBe(503);
    expect(answer.body).toContain(`image ${IMAGE_ID} is killed.`);
    expect(other.received().length).toBe(0);
  });

  it('answers 503 naming every host when none takes the data', async () => {
    const answer = await upload([await closedPort(), await closedPort()], randomBytes(1000));
    expect(answer.status).toBe(503);
    expect(answer.body).toContain(`No image-library host took the data of image ${IMAGE_ID} (closed: ECONNREFUSED; closed: ECONNREFUSED); try again later.`);
  });
});
