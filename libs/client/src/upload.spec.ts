import { afterEach, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { ImageLibraryClient } from './client.js';
import { ImageLibraryError } from './errors.js';
import { FakeCatalog, FakeHost, type FakeImage, glanceError, type Handler, KEEP_ORDER, readBody } from './testing/fake-hosts.js';

const hosts: FakeHost[] = [];
async function host(handler: Handler): Promise<FakeHost> {
  const started = await FakeHost.start(handler);
  hosts.push(started);
  return started;
}

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close()));
});

const SIZE = 2 * 1024 * 1024 + 3;
const FIELDS = { name: 'cirros', disk_format: 'raw', container_format: 'bare' };

function client(urls: string[], extra: Partial<ConstructorParameters<typeof ImageLibraryClient>[0]> = {}): ImageLibraryClient {
  return new ImageLibraryClient({ token: 'tok', endpoints: urls, random: KEEP_ORDER, responseTimeoutMs: 2000, uploadSettleMs: 500, ...extra });
}

function file(data: Buffer): string {
  const path = join(mkdtempSync(join(tmpdir(), 'imagelib-client-')), 'image.raw');
  writeFileSync(path, data);
  return path;
}

function stream(data: Buffer, chunk = 64 * 1024): Readable {
  const chunks: Buffer[] = [];
  for (let i = 0; i < data.length; i += chunk) chunks.push(data.subarray(i, i + chunk));
  return Readable.from(chunks);
}

/** A host that answers like the others except for PUT …/file, which `put` handles. */
function putHost(catalog: FakeCatalog, put: (request: IncomingMessage, image: FakeImage, respond: Parameters<Handler>[1]) => void | Promise<void>): Handler {
  const normal = catalog.handler();
  return (request, response, self) => {
    const id = /^\/v2\/images\/([^/]+)\/file$/.exec(request.url ?? '')?.[1];
    if (request.method === 'PUT' && id) return put(request, catalog.images.get(id)!, response);
    return normal(request, response, self);
  };
}

/** Reads at least `bytes` of the upload, then drops the connection, leaving the image `status`. */
function dropAfter(bytes: number, status: 'queued' | 'saving') {
  return (request: IncomingMessage, image: FakeImage) => {
    image.doc.status = 'saving';
    let read = 0;
    request.on('data', (chunk: Buffer) => {
      read += chunk.length;
      if (read >= bytes && !request.socket.destroyed) {
        image.doc.status = status;
        request.socket.destroy();
      }
    });
  };
}

async function failure(promise: Promise<unknown>): Promise<ImageLibraryError> {
  try {
    await promise;
  } catch (error) {
    if (error instanceof ImageLibraryError) return error;
    throw error;
  }
  throw new Error('expected the call to fail');
}

const sha512 = (data: Buffer) => createHash('sha512').update(data).digest('hex');
const puts = (h: FakeHost) => h.requests.filter((r) => r.method === 'PUT');

describe('uploadImage', () => {
  it('creates the image and uploads the data to the host that created it, and returns the active image', async () => {
    const data = randomBytes(SIZE);
    const catalog = new FakeCatalog();
    const [a, b] = [await host(catalog.handler()), await host(catalog.handler())];
    const progress: [number, number | null][] = [];
    const image = await client([a.url, b.url]).uploadImage(FIELDS, file(data), { onProgress: (done, total) => progress.push([done, total]) });
    expect(image).toMatchObject({ status: 'active', size: SIZE, name: 'cirros', os_hash_value: sha512(data) });
    expect(catalog.images.get(image.id)?.data?.equals(data)).toBe(true);
    const put = puts(a)[0]!;
    expect(put.headers).toMatchObject({ 'content-type': 'application/octet-stream', 'content-length': String(SIZE), 'x-auth-token': 'tok' });
    expect(puts(b)).toHaveLength(0);
    expect(progress.at(-1)).toEqual([SIZE, SIZE]);
  });

  it('uploads a stream (chunked), progress without a total unless given', async () => {
    const data = randomBytes(SIZE);
    const catalog = new FakeCatalog();
    const a = await host(catalog.handler());
    const progress: [number, number | null][] = [];
    const image = await client([a.url]).uploadImage(FIELDS, stream(data), { onProgress: (done, total) => progress.push([done, total]) });
    expect(image.os_hash_value).toBe(sha512(data));
    expect(puts(a)[0]?.headers['transfer-encoding']).toBe('chunked');
    expect(progress.at(-1)).toEqual([SIZE, null]);
  });

  it('sends the data to another host when the creating host refuses connections before the data went out', async () => {
    const data = randomBytes(SIZE);
    const catalog = new FakeCatalog();
    const normal = catalog.handler();
    const creator = await host(async (request, response, self) => {
      await normal(request, response, self);
      if (request.method === 'POST') self.stopListening();
    });
    const other = await host(catalog.handler());
    const image = await client([creator.url, other.url]).uploadImage(FIELDS, stream(data));
    expect(image.os_hash_value).toBe(sha512(data));
    expect(puts(creator)).toHaveLength(0);
    expect(puts(other)).toHaveLength(1);
  });

  it.each(['file', 'stream'])('sends the data (a %s) to another host after a 503 that came before the host read it', async (kind) => {
    const data = randomBytes(SIZE);
    const catalog = new FakeCatalog();
    const refusing = await host(putHost(catalog, (_q, _image, response) => glanceError(response, 503, 'The image catalog is unreachable (no answer); try again later or another host.')));
    const other = await host(catalog.handler());
    const image = await client([refusing.url, other.url]).uploadImage(FIELDS, kind === 'file' ? file(data) : stream(data));
    expect(image.os_hash_value).toBe(sha512(data));
    expect(catalog.images.get(image.id)?.data?.equals(data)).toBe(true);
    expect(puts(refusing)).toHaveLength(1);
    expect(puts(other)).toHaveLength(1);
  });

  it('sends a file again to another host after the connection dropped mid-upload and the image went back to queued', async () => {
    const data = randomBytes(SIZE);
    const catalog = new FakeCatalog();
    const dropping = await host(putHost(catalog, dropAfter(512 * 1024, 'queued')));
    const other = await host(catalog.handler());
    const image = await client([dropping.url, other.url]).uploadImage(FIELDS, file(data));
    expect(image).toMatchObject({ status: 'active', os_hash_value: sha512(data) });
    expect(puts(other)).toHaveLength(1);
  });

  it('replays a stream still within the kept bytes, but not one read beyond them', async () => {
    const data = randomBytes(SIZE);
    const catalog = new FakeCatalog();
    const dropping = await host(putHost(catalog, dropAfter(512 * 1024, 'queued')));
    const other = await host(catalog.handler());
    const replayed = await client([dropping.url, other.url]).uploadImage(FIELDS, stream(data));
    expect(replayed.os_hash_value).toBe(sha512(data));
    expect(puts(other)).toHaveLength(1);

    const error = await failure(client([dropping.url, other.url], { uploadReplayBytes: 256 * 1024 }).uploadImage(FIELDS, stream(data)));
    expect(error.kind).toBe('unavailable');
    expect(error.message).toContain(`the upload to ${dropping.url} failed after`);
    expect(error.message).toContain('bytes were read from the stream, which cannot be read again for another host');
    expect(puts(other)).toHaveLength(1);
  });

  it('does not send the data again while the image is not back to queued (the host may have stored it)', async () => {
    const data = randomBytes(SIZE);
    const catalog = new FakeCatalog();
    const dropping = await host(putHost(catalog, dropAfter(512 * 1024, 'saving')));
    const other = await host(catalog.handler());
    const error = await failure(client([dropping.url, other.url]).uploadImage(FIELDS, file(data)));
    expect(error.kind).toBe('state');
    expect(error.message).toMatch(/is saving after 500 ms \(the host may have died during the upload\), not queued/);
    expect(puts(other)).toHaveLength(0);
  });

  it('takes an upload whose answer was lost as done when the image is active with the same size and hash', async () => {
    const data = randomBytes(SIZE);
    const catalog = new FakeCatalog();
    const losing = await host(
      putHost(catalog, async (request, image) => {
        catalog.activate(image, await readBody(request));
        request.socket.destroy();
      }),
    );
    const other = await host(catalog.handler());
    const image = await client([losing.url, other.url]).uploadImage(FIELDS, file(data));
    expect(image).toMatchObject({ status: 'active', os_hash_value: sha512(data) });
    expect(puts(other)).toHaveLength(0);
  });

  it.each([409, 413, 400, 403])('never retries the data on a %i', async (status) => {
    const catalog = new FakeCatalog();
    const refusing = await host(putHost(catalog, (_q, _image, response) => glanceError(response, status, 'refused')));
    const other = await host(catalog.handler());
    const error = await failure(client([refusing.url, other.url]).uploadImage(FIELDS, file(randomBytes(1000))));
    expect(error).toMatchObject({ kind: 'http', status });
    expect(puts(other)).toHaveLength(0);
  });

  it('fails when the stored data differs from what was sent', async () => {
    const catalog = new FakeCatalog();
    const corrupting = await host(
      putHost(catalog, async (request, image, response) => {
        const body = await readBody(request);
        catalog.activate(image, Buffer.concat([body, Buffer.from('x')]));
        response.writeHead(204);
        response.end();
      }),
    );
    const error = await failure(client([corrupting.url]).uploadImage(FIELDS, file(randomBytes(1000))));
    expect(error.kind).toBe('integrity');
    expect(error.message).toContain('has 1001 bytes, 1000 were sent');
  });

  it('fails at once when the source cannot be read', async () => {
    const catalog = new FakeCatalog();
    const a = await host(catalog.handler());
    const b = await host(catalog.handler());
    const broken = new Readable({
      read() {
        this.destroy(new Error('disk on fire'));
      },
    });
    const error = await failure(client([a.url, b.url]).uploadImage(FIELDS, broken));
    expect(error.kind).toBe('io');
    expect(error.message).toContain('disk on fire');
    expect(puts(b)).toHaveLength(0);
    expect((await failure(client([a.url]).uploadImage(FIELDS, '/nonexistent/image.raw'))).kind).toBe('io');
  });
});
