import { afterEach, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { ImageLibraryClient } from './client.js';
import { ImageLibraryError } from './errors.js';
import { type FakeCatalog as Catalog, FakeCatalog, FakeHost, type Handler, glanceError, KEEP_ORDER, refusedUrl, sendPartThenDrop, serveData } from './testing/fake-hosts.js';

const hosts: FakeHost[] = [];
async function host(handler: Handler): Promise<FakeHost> {
  const started = await FakeHost.start(handler);
  hosts.push(started);
  return started;
}

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close()));
});

const SIZE = 3 * 1024 * 1024 + 17;

/** A host that answers metadata from the catalog and data with `data` (default: the catalog's handler). */
function dataHost(catalog: Catalog, data: Handler): Handler {
  const metadata = catalog.handler();
  return (request, response, self) => ((request.url ?? '').endsWith('/file') ? data(request, response, self) : metadata(request, response, self));
}

function client(urls: string[], extra: Partial<ConstructorParameters<typeof ImageLibraryClient>[0]> = {}): ImageLibraryClient {
  return new ImageLibraryClient({ token: 'tok', endpoints: urls, random: KEEP_ORDER, responseTimeoutMs: 2000, ...extra });
}

function collector(): { stream: Writable; bytes: () => Buffer } {
  const chunks: Buffer[] = [];
  return {
    stream: new Writable({
      write(chunk: Buffer, _encoding, done) {
        chunks.push(chunk);
        done();
      },
    }),
    bytes: () => Buffer.concat(chunks),
  };
}

function directory(): string {
  return mkdtempSync(join(tmpdir(), 'imagelib-client-'));
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

describe('downloadImage', () => {
  it('resumes on another host with Range when the first one drops the connection mid-stream: same bytes, same hash', async () => {
    const data = randomBytes(SIZE);
    const catalog = new FakeCatalog();
    const image = catalog.add(data);
    const id = image.doc.id as string;
    const dropping = await host(dataHost(catalog, (q, r) => sendPartThenDrop(q, r, data, 1024 * 1024)));
    const good = await host(catalog.handler());
    const dir = directory();
    const destination = join(dir, 'image.raw');
    const progress: number[] = [];
    const result = await client([dropping.url, good.url]).downloadImage(id, destination, { onProgress: (done, total) => progress.push(done, total ?? -1) });

    expect(readFileSync(destination).equals(data)).toBe(true);
    expect(result).toMatchObject({ bytes: SIZE, hashAlgo: 'sha512', hashValue: createHash('sha512').update(data).digest('hex'), resumes: 1, restarts: 0 });
    const handedOver = result.segments[0]!.to;
    // At most what was sent before the drop (a reset may discard what the client had not read yet).
    expect(handedOver).toBeGreaterThan(0);
    expect(handedOver).toBeLessThanOrEqual(1024 * 1024);
    expect(result.segments).toEqual([
      { url: dropping.url, from: 0, to: handedOver },
      { url: good.url, from: handedOver, to: SIZE },
    ]);
    expect(good.seen('GET', `/v2/images/${id}/file`)[0]?.headers.range).toBe(`bytes=${handedOver}-`);
    expect(progress.slice(-2)).toEqual([SIZE, SIZE]);
    expect(readdirSync(dir)).toEqual(['image.raw']);
  });

  it('resumes into a caller stream too, without writing anything twice', async () => {
    const data = randomBytes(SIZE);
    const catalog = new FakeCatalog();
    const image = catalog.add(data);
    const dropping = await host(dataHost(catalog, (q, r) => sendPartThenDrop(q, r, data, 700_000)));
    const good = await host(catalog.handler());
    const sink = collector();
    const result = await client([dropping.url, good.url]).downloadImage(image.doc.id as string, sink.stream);
    expect(sink.bytes().equals(data)).toBe(true);
    expect(result.resumes).toBe(1);
  });

  it('tells onRetry which host failed and how before it goes on with the next one', async () => {
    const data = randomBytes(SIZE);
    const catalog = new FakeCatalog();
    const image = catalog.add(data);
    const dropping = await host(dataHost(catalog, (q, r) => sendPartThenDrop(q, r, data, 700_000)));
    const good = await host(catalog.handler());
    const retries: { url: string; outcome: string }[] = [];
    const progressAtRetry: number[] = [];
    let done = 0;
    const result = await client([dropping.url, good.url]).downloadImage(image.doc.id as string, collector().stream, {
      onProgress: (bytes) => (done = bytes),
      onRetry: (failed) => {
        retries.push({ url: failed.url, outcome: failed.outcome });
        progressAtRetry.push(done);
      },
    });
    expect(retries).toEqual([{ url: dropping.url, outcome: expect.stringMatching(/connection|socket|ended/) }]);
    expect(progressAtRetry).toEqual([result.segments[0]!.to]);
  });

  it('resumes from a host that goes silent mid-stream (frozen), after the response timeout', async () => {
    const data = randomBytes(SIZE);
    const catalog = new FakeCatalog();
    const image = catalog.add(data);
    const frozen = await host(
      dataHost(catalog, (_q, r) => {
        r.writeHead(200, { 'Content-Length': data.length });
        r.write(data.subarray(0, 500_000));
      }),
    );
    const good = await host(catalog.handler());
    const sink = collector();
    const started = Date.now();
    const result = await client([frozen.url, good.url], { responseTimeoutMs: 300 }).downloadImage(image.doc.id as string, sink.stream);
    expect(sink.bytes().equals(data)).toBe(true);
    expect(result.resumes).toBe(1);
    expect(Date.now() - started).toBeLessThan(2000);
  });

  it('starts again from zero when the next host answers the Range request with 200 (file truncated, stream skipped)', async () => {
    const data = randomBytes(SIZE);
    const catalog = new FakeCatalog();
    const image = catalog.add(data);
    const id = image.doc.id as string;
    const dropping = await host(dataHost(catalog, (q, r) => sendPartThenDrop(q, r, data, 1024 * 1024)));
    const noRanges = await host(
      dataHost(catalog, (_q, r) => {
        r.writeHead(200, { 'Content-Length': data.length });
        r.end(data);
      }),
    );
    const dir = directory();
    const toFile = await client([dropping.url, noRanges.url]).downloadImage(id, join(dir, 'a.raw'));
    expect(readFileSync(join(dir, 'a.raw')).equals(data)).toBe(true);
    expect(toFile).toMatchObject({ restarts: 1, resumes: 0, bytes: SIZE });
    expect(toFile.segments).toEqual([{ url: noRanges.url, from: 0, to: SIZE }]);

    const sink = collector();
    const toStream = await client([dropping.url, noRanges.url]).downloadImage(id, sink.stream);
    expect(sink.bytes().equals(data)).toBe(true);
    expect(toStream.restarts).toBe(1);
  });

  it('moves on from a host whose 206 does not start where asked', async () => {
    const data = randomBytes(SIZE);
    const catalog = new FakeCatalog();
    const image = catalog.add(data);
    const dropping = await host(dataHost(catalog, (q, r) => sendPartThenDrop(q, r, data, 1024 * 1024)));
    const wrongRange = await host(
      dataHost(catalog, (_q, r) => {
        r.writeHead(206, { 'Content-Length': data.length - 10, 'Content-Range': `bytes 10-${data.length - 1}/${data.length}` });
        r.end(data.subarray(10));
      }),
    );
    const good = await host(catalog.handler());
    const sink = collector();
    await client([dropping.url, wrongRange.url, good.url]).downloadImage(image.doc.id as string, sink.stream);
    expect(sink.bytes().equals(data)).toBe(true);
    expect(wrongRange.requests.filter((r) => r.url.endsWith('/file'))).toHaveLength(1);
    expect(good.requests.find((r) => r.url.endsWith('/file'))?.headers.range).toMatch(/^bytes=\d+-$/);
  });

  it('moves on from a host without the file (503) and one that refuses', async () => {
    const data = randomBytes(100_000);
    const catalog = new FakeCatalog();
    const image = catalog.add(data);
    const missing = await host(dataHost(catalog, (_q, r) => glanceError(r, 503, 'The data of image x is not available on this host (ENOENT); try another host.')));
    const good = await host(catalog.handler());
    const sink = collector();
    const refused = await refusedUrl();
    const result = await client([missing.url, refused, good.url]).downloadImage(image.doc.id as string, sink.stream);
    expect(sink.bytes().equals(data)).toBe(true);
    expect(result.segments).toEqual([{ url: good.url, from: 0, to: data.length }]);
    expect(missing.requests.filter((r) => r.url.endsWith('/file'))).toHaveLength(1);
  });

  it('detects a hash mismatch: the call fails, no file and no temporary file are left', async () => {
    const data = randomBytes(SIZE);
    const corrupt = Buffer.from(data);
    corrupt[12345] ^= 0xff;
    const catalog = new FakeCatalog();
    const image = catalog.add(data);
    const bad = await host(dataHost(catalog, (q, r) => serveData(q, r, image, corrupt)));
    const dir = directory();
    const error = await failure(client([bad.url]).downloadImage(image.doc.id as string, join(dir, 'image.raw')));
    expect(error.kind).toBe('integrity');
    expect(error.message).toContain(`the data's sha512 is ${createHash('sha512').update(corrupt).digest('hex')}`);
    expect(error.message).toContain(`served by ${bad.url} bytes 0-${SIZE - 1}`);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('detects a size mismatch (a host sending more than the image)', async () => {
    const data = randomBytes(10_000);
    const catalog = new FakeCatalog();
    const image = catalog.add(data);
    const bad = await host(
      dataHost(catalog, (_q, r) => {
        r.writeHead(200, { 'Content-Length': data.length + 5 });
        r.end(Buffer.concat([data, Buffer.alloc(5)]));
      }),
    );
    const dir = directory();
    const error = await failure(client([bad.url]).downloadImage(image.doc.id as string, join(dir, 'x')));
    expect(error.kind).toBe('integrity');
    expect(readdirSync(dir)).toEqual([]);
  });

  it('keeps an existing destination file when the download fails', async () => {
    const catalog = new FakeCatalog();
    const image = catalog.add(randomBytes(1000));
    const missing = await host(dataHost(catalog, (_q, r) => glanceError(r, 503, 'missing')));
    const dir = directory();
    writeFileSync(join(dir, 'old'), 'previous');
    const error = await failure(client([missing.url], { maxAttempts: 1 }).downloadImage(image.doc.id as string, join(dir, 'old')));
    expect(error.kind).toBe('unavailable');
    expect(readFileSync(join(dir, 'old'), 'utf8')).toBe('previous');
    expect(readdirSync(dir)).toEqual(['old']);
  });

  it('fails without retrying for an image without data (204) or a 403', async () => {
    const catalog = new FakeCatalog();
    const queued = catalog.add(null);
    const active = catalog.add(randomBytes(10));
    const forbidding = await host(dataHost(catalog, (q, r) => ((q.url ?? '').includes(active.doc.id as string) ? glanceError(r, 403, 'The requested image has been deactivated. Image data download is forbidden.') : catalog.handler()(q, r, forbidding))));
    const other = await host(catalog.handler());
    const c = client([forbidding.url, other.url]);
    const noData = await failure(c.downloadImage(queued.doc.id as string, collector().stream));
    expect(noData).toMatchObject({ kind: 'state' });
    expect(noData.message).toContain('has no data to download (status queued)');
    const refused = await failure(c.downloadImage(active.doc.id as string, collector().stream));
    expect(refused).toMatchObject({ kind: 'http', status: 403 });
    expect(other.seen('GET').filter((r) => r.url.endsWith('/file'))).toHaveLength(0);
    expect(existsSync(join(directory(), 'x'))).toBe(false);
  });

  it('respects the transfer deadline', async () => {
    const data = randomBytes(SIZE);
    const catalog = new FakeCatalog();
    const image = catalog.add(data);
    const slow = await host(
      dataHost(catalog, (_q, r) => {
        r.writeHead(200, { 'Content-Length': data.length });
        const timer = setInterval(() => r.write(data.subarray(0, 1000)), 50);
        r.on('close', () => clearInterval(timer));
      }),
    );
    const started = Date.now();
    const error = await failure(client([slow.url]).downloadImage(image.doc.id as string, collector().stream, { deadlineMs: 400 }));
    expect(error.kind).toBe('deadline');
    expect(Date.now() - started).toBeLessThan(1500);
  });
});
