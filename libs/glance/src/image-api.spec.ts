import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo, connect } from 'node:net';
import { GlanceError } from './glance-error.js';
import { sendNoContent } from './glance-http.js';
import type { Caller } from './image-access.js';
import { ImageApi, type ImageApiBackend } from './image-api.js';
import type { ImageRecord } from './image-record.js';

const OWN = '11111111-1111-4111-8111-111111111111';
const OTHERS = '22222222-2222-4222-8222-222222222222';
const QUEUED = '33333333-3333-4333-8333-333333333333';

function record(id: string, fields: Partial<ImageRecord>): ImageRecord {
  return {
    id,
    name: id.slice(0, 4),
    status: 'active',
    visibility: 'private',
    protected: false,
    osHidden: false,
    diskFormat: 'raw',
    containerFormat: 'bare',
    size: 3,
    virtualSize: 3,
    checksum: null,
    osHashAlgo: null,
    osHashValue: null,
    minRam: 0,
    minDisk: 0,
    owner: 'demo',
    tags: [],
    properties: {},
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    fileName: id,
    ...fields,
  };
}

/** A backend over a fixed catalog; tokens name the project (`admin` for an admin). */
class FixedBackend implements ImageApiBackend {
  readonly catalog = [record(OWN, {}), record(OTHERS, { owner: 'other' }), record(QUEUED, { status: 'queued', size: null, fileName: null })];
  readonly calls: string[] = [];
  readonly failures: unknown[] = [];

  caller(request: IncomingMessage): Caller {
    const token = request.headers['x-auth-token'];
    if (typeof token !== 'string') throw new GlanceError(401, 'no token');
    return token === 'admin' ? { project: null, admin: true } : { project: token, admin: false };
  }
  images(): ImageRecord[] {
    return this.catalog;
  }
  async image(id: string): Promise<ImageRecord | undefined> {
    return this.catalog.find((image) => image.id === id);
  }
  async create(): Promise<ImageRecord> {
    throw new Error('the database is gone');
  }
  async patch(id: string, patchJson: string): Promise<ImageRecord> {
    this.calls.push(`patch ${id} ${patchJson}`);
    return this.catalog.find((image) => image.id === id)!;
  }
  async delete(id: string): Promise<unknown> {
    this.calls.push(`delete ${id}`);
    return undefined;
  }
  async changeStatus(id: string, action: string): Promise<unknown> {
    this.calls.push(`${action} ${id}`);
    return undefined;
  }
  async sendData(_caller: Caller, image: ImageRecord, _request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.calls.push(`send ${image.id}`);
    response.writeHead(307, { Location: `http://host/v2/images/${image.id}/file` }).end();
  }
  async receiveData(_caller: Caller, image: ImageRecord, _request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.calls.push(`receive ${image.id}`);
    sendNoContent(response);
  }
  failed(error: unknown): void {
    this.failures.push(error);
  }
}

describe('ImageApi', () => {
  const backend = new FixedBackend();
  let server: Server;
  let base = '';
  const call = async (path: string, init: RequestInit & { token?: string | null } = {}) => {
    const { token = 'demo', ...rest } = init;
    const headers: Record<string, string> = { ...(rest.headers as Record<string, string>) };
    if (token !== null) headers['X-Auth-Token'] = token;
    const response = await fetch(`${base}${path}`, { ...rest, headers, redirect: 'manual' });
    return { status: response.status, headers: response.headers, text: await response.text() };
  };

  beforeAll(async () => {
    const api = new ImageApi(backend);
    server = createServer((request, response) => api.handle(request, response, 'fallback:9292'));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(() => new Promise((resolve) => server.close(resolve)));

  it('answers versions without a token, everything else only with one', async () => {
    const versions = await call('/versions', { token: null });
    expect(versions.status).toBe(200);
    expect(JSON.parse(versions.text).versions[0]).toEqual({ id: 'v2.16', status: 'CURRENT', links: [{ rel: 'self', href: `${base}/v2/` }] });
    expect(versions.headers.get('x-openstack-request-id')).toBeNull();
    const unauthorized = await call('/v2/images', { token: null });
    expect(unauthorized.status).toBe(401);
    expect(unauthorized.headers.get('x-openstack-request-id')).toMatch(/^req-/);
  });

  it('lists and shows only what the caller may see', async () => {
    const listed = JSON.parse((await call('/v2/images')).text) as { images: { id: string }[] };
    expect(listed.images.map((image) => image.id).sort()).toEqual([OWN, QUEUED]);
    expect((await call(`/v2/images/${OTHERS}`)).status).toBe(404);
    expect((await call(`/v2/images/${OTHERS}`, { token: 'admin' })).status).toBe(200);
    expect((await call(`/v2/images/${OWN.toUpperCase()}`)).status).toBe(200);
  });

  it('hands data to the backend only for an image with data, and uploads only after the checks', async () => {
    expect((await call(`/v2/images/${OWN}/file`)).status).toBe(307);
    expect((await call(`/v2/images/${QUEUED}/file`)).status).toBe(204);
    expect((await call(`/v2/images/${OWN}/file`, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: 'abc' })).status).toBe(409);
    expect((await call(`/v2/images/${QUEUED}/file`, { method: 'PUT', headers: { 'Content-Type': 'text/plain' }, body: 'abc' })).status).toBe(415);
    expect((await call(`/v2/images/${QUEUED}/file`, { method: 'PUT', headers: { 'Content-Type': 'application/octet-stream' }, body: 'abc' })).status).toBe(204);
    expect((await call(`/v2/images/${QUEUED}/file`, { method: 'HEAD' })).status).toBe(405);
    expect(backend.calls.filter((c) => c.startsWith('send') || c.startsWith('receive'))).toEqual([`send ${OWN}`, `receive ${QUEUED}`]);
  });

  it('turns tag and action calls into catalog writes, refusing callers that may not change the image', async () => {
    expect((await call(`/v2/images/${OWN}/tags/blue`, { method: 'PUT' })).status).toBe(204);
    expect((await call(`/v2/images/${OWN}/actions/deactivate`, { method: 'POST' })).status).toBe(204);
    expect((await call(`/v2/images/${OTHERS}`, { method: 'DELETE', token: 'admin' })).status).toBe(204);
    expect((await call(`/v2/images/${OTHERS}/actions/deactivate`, { method: 'POST', token: 'other-project' })).status).toBe(404);
    expect(backend.calls).toContain(`patch ${OWN} [{"op":"replace","path":"/tags","value":["blue"]}]`);
    expect(backend.calls).toContain(`deactivate ${OWN}`);
    expect(backend.calls).toContain(`delete ${OTHERS}`);
  });

  it('reads every request target as a path, even one that would be a host in a URL: 404, and the service lives on', async () => {
    const raw = (target: string) =>
      new Promise<string>((resolve) => {
        const socket = connect(Number(new URL(base).port), '127.0.0.1', () => socket.end(`GET ${target} HTTP/1.1\r\nHost: x\r\nX-Auth-Token: demo\r\nConnection: close\r\n\r\n`));
        let answer = '';
        socket.on('data', (data: Buffer) => (answer += data.toString('latin1')));
        socket.on('close', () => resolve(answer.split('\r\n')[0] ?? ''));
      });
    expect(await raw('//%F3%95%B1%A8/?a=b')).toBe('HTTP/1.1 404 Not Found');
    expect(await raw('//evil.example/v2/images')).toBe('HTTP/1.1 404 Not Found');
    expect((await call('/v2/images')).status).toBe(200);
  });

  it('answers 404 for paths that are not images and a bare 500 for what the backend did not expect, reported once', async () => {
    expect((await call('/v2/images/not-a-uuid')).text).toContain('No image found with ID not-a-uuid');
    expect((await call('/v2/nothing')).status).toBe(404);
    const failed = await call('/v2/images', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{}' });
    expect(failed.status).toBe(500);
    expect(failed.text).not.toContain('the database is gone');
    expect(backend.failures).toHaveLength(1);
  });
});
