import { afterEach, describe, expect, it, jest } from '@jest/globals';
import { status } from '@grpc/grpc-js';
import { GlanceError } from '@imagelib/glance';
import type { CatalogWriteRequest } from '@imagelib/proto';
import { EventEmitter } from 'node:events';
import { CatalogWriteStream, type WritesStream } from './catalog-write-stream.js';

/** A writes stream whose requests the test sees and answers. */
class FakeStream extends EventEmitter {
  readonly requests: CatalogWriteRequest[] = [];
  cancelled = false;
  write(request: CatalogWriteRequest): boolean {
    this.requests.push(request);
    return true;
  }
  cancel(): void {
    this.cancelled = true;
  }
}

function setUp() {
  const streams: FakeStream[] = [];
  const writes = new CatalogWriteStream(() => {
    const stream = new FakeStream();
    streams.push(stream);
    return stream as unknown as WritesStream;
  });
  return { writes, streams };
}

const image = (id: string) => ({ id, name: id, status: 'queued', visibility: 'shared', protected: false, osHidden: false, minRam: 0, minDisk: 0, tags: [], properties: {}, createdAt: '', updatedAt: '', revision: 1 });

describe('CatalogWriteStream', () => {
  afterEach(() => {
    jest.useRealTimers();
  });

  it('sends every write on one stream and matches replies to writes by id, in any order', async () => {
    const { writes, streams } = setUp();
    const first = writes.write({ createImage: { bodyJson: '{"name":"a"}', owner: '' } });
    const second = writes.write({ deleteImage: { id: 'b' } });
    expect(streams).toHaveLength(1);
    expect(streams[0]!.requests).toEqual([
      { createImage: { bodyJson: '{"name":"a"}', owner: '' }, id: 1 },
      { deleteImage: { id: 'b' }, id: 2 },
    ]);
    streams[0]!.emit('data', { id: 2, image: image('b') });
    streams[0]!.emit('data', { id: 1, image: image('a') });
    expect((await first).image?.id).toBe('a');
    expect((await second).image?.id).toBe('b');
  });

  it('gives Glance refusals back as they were made, and anything else as an unreachable catalog', async () => {
    const { writes, streams } = setUp();
    const notFound = writes.write({ deleteImage: { id: 'x' } });
    const internal = writes.write({ deleteImage: { id: 'y' } });
    streams[0]!.emit('data', { id: 1, error: { code: status.FAILED_PRECONDITION, message: 'No image found with ID x', glanceStatus: 404 } });
    streams[0]!.emit('data', { id: 2, error: { code: status.INTERNAL, message: 'internal error', glanceStatus: 0 } });
    await expect(notFound).rejects.toEqual(new GlanceError(404, 'No image found with ID x'));
    await expect(internal).rejects.toMatchObject({ status: 503, message: 'The image catalog is unreachable (internal error); try again later or another host.' });
  });

  it('answers 503 for the writes of a stream that broke, and opens another for the next write', async () => {
    const { writes, streams } = setUp();
    const lost = writes.write({ deleteImage: { id: 'x' } });
    streams[0]!.emit('error', { code: status.UNAVAILABLE, details: 'connection refused' });
    await expect(lost).rejects.toMatchObject({ status: 503, message: expect.stringContaining('connection refused') });
    const next = writes.write({ deleteImage: { id: 'y' } });
    expect(streams).toHaveLength(2);
    streams[1]!.emit('data', { id: 2, image: image('y') });
    expect((await next).image?.id).toBe('y');
  });

  it('answers 503 for a write not answered within 10 s, and ignores a late reply', async () => {
    jest.useFakeTimers();
    const { writes, streams } = setUp();
    const slow = writes.write({ deleteImage: { id: 'x' } });
    const outcome = slow.catch((error: unknown) => error);
    await jest.advanceTimersByTimeAsync(10_000);
    expect(await outcome).toMatchObject({ status: 503, message: expect.stringContaining('no answer within 10 s') });
    streams[0]!.emit('data', { id: 1, image: image('x') });
  });

  it('ends its stream on close, failing what is awaiting a reply', async () => {
    const { writes, streams } = setUp();
    const pending = writes.write({ deleteImage: { id: 'x' } });
    writes.close();
    expect(streams[0]!.cancelled).toBe(true);
    await expect(pending).rejects.toMatchObject({ status: 503 });
  });
});
