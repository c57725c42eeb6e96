import { createHash, randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export interface SeenRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
}

export type Handler = (request: IncomingMessage, response: ServerResponse, host: FakeHost) => void | Promise<void>;

/** An HTTP server on 127.0.0.1 whose answers a test controls; it records every request. */
export class FakeHost {
  readonly requests: SeenRequest[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly server: Server;
  url = '';

  private constructor(public handler: Handler) {
    this.server = createServer((request, response) => {
      this.requests.push({ method: request.method ?? '', url: request.url ?? '', headers: request.headers });
      Promise.resolve(this.handler(request, response, this)).catch((error: unknown) => {
        if (!response.headersSent) glanceError(response, 500, String(error));
        else response.destroy();
      });
    });
    this.server.on('connection', (socket) => {
      this.sockets.add(socket);
      socket.once('close', () => this.sockets.delete(socket));
    });
  }

  static async start(handler: Handler): Promise<FakeHost> {
    const host = new FakeHost(handler);
    await new Promise<void>((resolve) => host.server.listen(0, '127.0.0.1', resolve));
    host.url = `http://127.0.0.1:${(host.server.address() as AddressInfo).port}`;
    return host;
  }

  /** Requests whose method and path (without query) match. */
  seen(method: string, path?: string): SeenRequest[] {
    return this.requests.filter((r) => r.method === method && (path === undefined || r.url.split('?')[0] === path));
  }

  /** Stops listening (new connections are refused) and drops open connections. */
  async close(): Promise<void> {
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    for (const socket of this.sockets) socket.destroy();
    await closed;
  }

  /** Stops listening but lets the current exchange finish. */
  stopListening(): void {
    this.server.close();
  }
}

/** A URL where nothing listens (connection refused). */
export async function refusedUrl(): Promise<string> {
  const host = await FakeHost.start(() => undefined);
  const url = host.url;
  await host.close();
  return url;
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  const payload = JSON.stringify(body);
  response.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) });
  response.end(payload);
}

/** An error page as glance (webob) renders it. */
export function glanceError(response: ServerResponse, status: number, message: string): void {
  const title = `${status} ${TITLES[status] ?? 'Error'}`;
  const body = `<html>\n <head>\n  <title>${title}</title>\n </head>\n <body>\n  <h1>${title}</h1>\n  ${message}<br /><br />\n\n\n\n </body>\n</html>`;
  response.writeHead(status, { 'Content-Type': 'text/html; charset=UTF-8', 'Content-Length': Buffer.byteLength(body) });
  response.end(body);
}

const TITLES: Record<number, string> = { 400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 409: 'Conflict', 413: 'Request Entity Too Large', 500: 'Internal Server Error', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout' };

export interface FakeImage {
  doc: Record<string, unknown>;
  data?: Buffer;
}

/** The catalog every fake host of a test shares, as the controller's catalog is shared. */
export class FakeCatalog {
  readonly images = new Map<string, FakeImage>();

  add(data: Buffer | null, fields: Record<string, unknown> = {}): FakeImage {
    const id = (fields.id as string | undefined) ?? randomUUID();
    const image: FakeImage = { doc: imageDocument(id, data, fields), ...(data ? { data } : {}) };
    this.images.set(id, image);
    return image;
  }

  /** What a Glance host answers for metadata and data (with Range); `null` when the request is not one of those. */
  handler(): Handler {
    return async (request, response): Promise<void> => {
      const url = new URL(request.url ?? '/', 'http://x');
      const match = /^\/v2\/images\/([^/]+)(\/file)?$/.exec(url.pathname);
      if (url.pathname === '/v2/images' && request.method === 'POST') {
        const body = JSON.parse((await readBody(request)).toString('utf8')) as Record<string, unknown>;
        const id = (body.id as string | undefined) ?? randomUUID();
        if (this.images.has(id)) return glanceError(response, 409, `Image ID ${id} already exists!`);
        const image = this.add(null, { ...body, id });
        return sendJson(response, 201, image.doc);
      }
      if (url.pathname === '/v2/images' && request.method === 'GET') return sendJson(response, 200, { images: [...this.images.values()].map((i) => i.doc) });
      const image = match ? this.images.get(decodeURIComponent(match[1]!)) : undefined;
      if (!match || !image) return glanceError(response, 404, `No image found with ID ${match?.[1] ?? ''}`);
      if (!match[2]) {
        if (request.method === 'GET') return sendJson(response, 200, image.doc);
        if (request.method === 'DELETE') {
          this.images.delete(image.doc.id as string);
          response.writeHead(204).end();
          return;
        }
        return glanceError(response, 405, 'no');
      }
      if (request.method === 'GET') return serveData(request, response, image);
      if (request.method === 'PUT') {
        if (image.doc.status !== 'queued') return glanceError(response, 409, `Image status transition from ${String(image.doc.status)} to saving is not allowed`);
        image.doc.status = 'saving';
        let data: Buffer;
        try {
          data = await readBody(request);
        } catch {
          image.doc.status = 'queued';
          return;
        }
        this.activate(image, data);
        response.writeHead(204).end();
        return;
      }
      return glanceError(response, 405, 'no');
    };
  }

  activate(image: FakeImage, data: Buffer): void {
    image.data = data;
    Object.assign(image.doc, {
      status: 'active',
      size: data.length,
      checksum: createHash('md5').update(data).digest('hex'),
      os_hash_algo: 'sha512',
      os_hash_value: createHash('sha512').update(data).digest('hex'),
    });
  }
}

/** GET …/file: the data, or the asked range (206 with Content-Range). */
export function serveData(request: IncomingMessage, response: ServerResponse, image: FakeImage, data = image.data): void {
  if (!data) {
    response.writeHead(204);
    response.end();
    return;
  }
  const range = /^bytes=(\d+)-$/.exec(request.headers.range ?? '');
  if (range) {
    const start = Number(range[1]);
    response.writeHead(206, { 'Content-Type': 'application/octet-stream', 'Content-Length': data.length - start, 'Content-Range': `bytes ${start}-${data.length - 1}/${data.length}` });
    response.end(data.subarray(start));
    return;
  }
  response.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': data.length });
  response.end(data);
}

/** Sends the headers for the whole image and the first `bytes` of it, then drops the connection. */
export function sendPartThenDrop(request: IncomingMessage, response: ServerResponse, data: Buffer, bytes: number): void {
  const start = Number(/^bytes=(\d+)-$/.exec(request.headers.range ?? '')?.[1] ?? 0);
  if (start > 0) {
    response.writeHead(206, { 'Content-Length': data.length - start, 'Content-Range': `bytes ${start}-${data.length - 1}/${data.length}` });
  } else {
    response.writeHead(200, { 'Content-Length': data.length });
  }
  response.write(data.subarray(start, start + bytes), () => setTimeout(() => response.socket?.destroy(), 20));
}

export function readBody(request: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => resolve(Buffer.concat(chunks)));
    request.on('error', reject);
    request.on('aborted', () => reject(new Error('aborted')));
  });
}

export function imageDocument(id: string, data: Buffer | null, fields: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    name: null,
    disk_format: 'raw',
    container_format: 'bare',
    visibility: 'shared',
    size: data ? data.length : null,
    virtual_size: null,
    status: data ? 'active' : 'queued',
    checksum: data ? createHash('md5').update(data).digest('hex') : null,
    protected: false,
    min_ram: 0,
    min_disk: 0,
    owner: 'demo',
    os_hidden: false,
    os_hash_algo: data ? 'sha512' : null,
    os_hash_value: data ? createHash('sha512').update(data).digest('hex') : null,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    tags: [],
    ...fields,
    id,
    self: `/v2/images/${id}`,
    file: `/v2/images/${id}/file`,
    schema: '/v2/schemas/image',
  };
}

/** A deterministic [0, 1) source (mulberry32). */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** random() values that keep a list in its order (Fisher–Yates picks j = i). */
export const KEEP_ORDER = (): number => 0.999999;
