import { afterEach, describe, expect, it } from '@jest/globals';
import { ImageLibraryClient, type ImageLibraryClientOptions } from './client.js';
import { ImageLibraryError } from './errors.js';
import { FakeCatalog, FakeHost, glanceError, KEEP_ORDER, readBody, refusedUrl, seededRandom, sendJson } from './testing/fake-hosts.js';

const hosts: FakeHost[] = [];
async function host(handler: Parameters<typeof FakeHost.start>[0]): Promise<FakeHost> {
  const started = await FakeHost.start(handler);
  hosts.push(started);
  return started;
}

afterEach(async () => {
  await Promise.all(hosts.splice(0).map((h) => h.close()));
});

function client(endpoints: string[], options: Partial<ImageLibraryClientOptions> = {}): ImageLibraryClient {
  return new ImageLibraryClient({ token: 'tok', endpoints, random: KEEP_ORDER, connectTimeoutMs: 1000, responseTimeoutMs: 2000, ...options });
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

describe('endpoint order', () => {
  it('shuffles the endpoints for every call, so every host gets calls, and the injected random source decides the order', async () => {
    const catalog = new FakeCatalog();
    const image = catalog.add(Buffer.from('x'));
    const fakes = await Promise.all([1, 2, 3].map(() => host(catalog.handler())));
    const urls = fakes.map((f) => f.url);
    const shuffled = client(urls, { random: seededRandom(7) });
    for (let i = 0; i < 30; i++) await shuffled.getImage(image.doc.id as string);
    for (const fake of fakes) expect(fake.requests.length).toBeGreaterThan(3);

    // Fisher–Yates with random() = 0 turns [a, b, c] into [b, c, a]: b is tried first.
    const before = fakes.map((f) => f.requests.length);
    await client(urls, { random: () => 0 }).getImage(image.doc.id as string);
    expect(fakes.map((f, i) => f.requests.length - before[i]!)).toEqual([0, 1, 0]);
  });

  it('sends the token as X-Auth-Token', async () => {
    const catalog = new FakeCatalog();
    const image = catalog.add(Buffer.from('x'));
    const fake = await host(catalog.handler());
    await client([fake.url]).getImage(image.doc.id as string);
    expect(fake.requests[0]?.headers['x-auth-token']).toBe('tok');
  });
});

describe('failover', () => {
  it('moves to the next host on 503 (and 502/504)', async () => {
    const catalog = new FakeCatalog();
    const image = catalog.add(Buffer.from('x'), { name: 'cirros' });
    const unavailable = await Promise.all([503, 502, 504].map((status) => host((_q, r) => glanceError(r, status, 'try another host'))));
    const good = await host(catalog.handler());
    const got = await client([...unavailable.map((u) => u.url), good.url]).getImage(image.doc.id as string);
    expect(got.name).toBe('cirros');
    expect(unavailable.map((u) => u.requests.length)).toEqual([1, 1, 1]);
  });

  it('moves to the next host when the connection is refused', async () => {
    const catalog = new FakeCatalog();
    const image = catalog.add(Buffer.from('x'));
    const good = await host(catalog.handler());
    const got = await client([await refusedUrl(), good.url]).getImage(image.doc.id as string);
    expect(got.id).toBe(image.doc.id);
  });

  it('moves to the next host when the connection drops before the answer (GET)', async () => {
    const catalog = new FakeCatalog();
    const image = catalog.add(Buffer.from('x'));
    const dropping = await host((request) => {
      request.socket.destroy();
    });
    const good = await host(catalog.handler());
    await client([dropping.url, good.url]).getImage(image.doc.id as string);
    expect(dropping.requests).toHaveLength(1);
    expect(good.requests).toHaveLength(1);
  });

  it('moves on from a host that accepts the connection but stays silent (a frozen host), after the response timeout', async () => {
    const catalog = new FakeCatalog();
    const image = catalog.add(Buffer.from('x'));
    const silent = await host(() => undefined);
    const good = await host(catalog.handler());
    const started = Date.now();
    await client([silent.url, good.url], { responseTimeoutMs: 200 }).getImage(image.doc.id as string);
    expect(Date.now() - started).toBeLessThan(1500);
    expect(good.requests).toHaveLength(1);
  });

  it.each([404, 403, 401, 400, 409])('never retries a %i: the call fails with what the host said', async (status) => {
    const answering = await host((_q, r) => glanceError(r, status, `No image found with ID abc (${status})`));
    const other = await host((_q, r) => sendJson(r, 200, {}));
    const error = await failure(client([answering.url, other.url]).getImage('abc'));
    expect(error).toMatchObject({ kind: 'http', status });
    expect(error.message).toContain(answering.url);
    expect(error.message).toContain(`No image found with ID abc (${status})`);
    expect(other.requests).toHaveLength(0);
  });

  it('names every host tried and what it answered when all of them fail', async () => {
    const unavailable = await host((_q, r) => glanceError(r, 503, 'The data of image abc is not available on this host (ENOENT); try another host.'));
    const refused = await refusedUrl();
    const error = await failure(client([unavailable.url, refused], { maxAttempts: 2 }).getImage('abc'));
    expect(error.kind).toBe('unavailable');
    expect(error.attempts).toEqual([
      { url: unavailable.url, status: 503, outcome: '503 Service Unavailable: The data of image abc is not available on this host (ENOENT); try another host.' },
      { url: refused, code: 'ECONNREFUSED', outcome: 'connection refused (ECONNREFUSED)' },
    ]);
    expect(error.message).toBe(
      `GET /v2/images/abc: no host could do it (2 attempts) [tried: ${unavailable.url} → 503 Service Unavailable: The data of image abc is not available on this host (ENOENT); try another host.; ${refused} → connection refused (ECONNREFUSED)]`,
    );
  });

  it('goes round the hosts again (after a short pause) up to maxAttempts', async () => {
    let calls = 0;
    const catalog = new FakeCatalog();
    const image = catalog.add(Buffer.from('x'));
    const flaky = await host((q, r) => (++calls < 3 ? glanceError(r, 503, 'busy') : catalog.handler()(q, r, flaky)));
    await client([flaky.url], { maxAttempts: 3 }).getImage(image.doc.id as string);
    expect(calls).toBe(3);
    const error = await failure(client([(await host((_q, r) => glanceError(r, 503, 'busy'))).url], { maxAttempts: 2 }).getImage('abc'));
    expect(error.attempts).toHaveLength(2);
  });

  it('respects the deadline even when a host never answers', async () => {
    const silent = await Promise.all([1, 2].map(() => host(() => undefined)));
    const started = Date.now();
    const error = await failure(client(silent.map((s) => s.url), { deadlineMs: 300, responseTimeoutMs: 60_000 }).getImage('abc'));
    const took = Date.now() - started;
    expect(error.kind).toBe('deadline');
    expect(error.message).toContain('the deadline of 300 ms passed');
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(1000);
  });

  it('takes a per-call deadline and an AbortSignal', async () => {
    const silent = await host(() => undefined);
    const c = client([silent.url], { responseTimeoutMs: 60_000 });
    expect((await failure(c.getImage('abc', { deadlineMs: 100 }))).kind).toBe('deadline');
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 50);
    expect((await failure(c.getImage('abc', { signal: controller.signal }))).kind).toBe('aborted');
  });
});

describe('metadata calls', () => {
  it('lists images following next links, on the host that served the first page', async () => {
    const pages: Record<string, unknown> = {
      '/v2/images?status=active&limit=2': { images: [{ id: '1' }, { id: '2' }], next: '/v2/images?status=active&limit=2&marker=2' },
      '/v2/images?status=active&limit=2&marker=2': { images: [{ id: '3' }, { id: '4' }], next: '/v2/images?status=active&limit=2&marker=4' },
      '/v2/images?status=active&limit=2&marker=4': { images: [{ id: '5' }] },
    };
    const paging = await Promise.all([1, 2].map(() => host((q, r) => sendJson(r, 200, pages[q.url ?? '']))));
    const images = await client(paging.map((p) => p.url)).listImages({ status: 'active', limit: 2 });
    expect(images.map((i) => i.id)).toEqual(['1', '2', '3', '4', '5']);
    expect(paging[0]!.requests).toHaveLength(3);
    expect(paging[1]!.requests).toHaveLength(0);
  });

  it('goes on with the next page on another host when the first one fails mid-listing', async () => {
    let served = 0;
    const first = await host((_q, r) => (++served === 1 ? sendJson(r, 200, { images: [{ id: '1' }], next: '/v2/images?marker=1' }) : glanceError(r, 503, 'gone')));
    const second = await host((q, r) => sendJson(r, 200, q.url === '/v2/images?marker=1' ? { images: [{ id: '2' }] } : { images: [] }));
    const images = await client([first.url, second.url]).listImages();
    expect(images.map((i) => i.id)).toEqual(['1', '2']);
  });

  it('updates with a JSON patch of the openstack-images-v2.1 media type', async () => {
    let seen: { type?: string; body?: unknown } = {};
    const fake = await host(async (q, r) => {
      seen = { type: q.headers['content-type'], body: JSON.parse((await readBody(q)).toString()) };
      sendJson(r, 200, { id: 'abc', name: 'new' });
    });
    const updated = await client([fake.url]).updateImage('abc', [{ op: 'replace', path: '/name', value: 'new' }]);
    expect(updated.name).toBe('new');
    expect(seen).toEqual({ type: 'application/openstack-images-v2.1-json-patch', body: [{ op: 'replace', path: '/name', value: 'new' }] });
  });

  it('does not repeat a PATCH whose answer was lost: it may have been applied', async () => {
    const dropping = await host(async (q) => {
      await readBody(q);
      q.socket.destroy();
    });
    const other = await host((_q, r) => sendJson(r, 200, {}));
    const error = await failure(client([dropping.url, other.url]).updateImage('abc', [{ op: 'remove', path: '/x' }]));
    expect(error.kind).toBe('ambiguous');
    expect(error.message).toContain('may or may not have been applied');
    expect(other.requests).toHaveLength(0);
  });

  it('repeats a PATCH that never reached a host, or that a host refused with 503', async () => {
    const fake = await host((_q, r) => sendJson(r, 200, { id: 'abc' }));
    const busy = await host((_q, r) => glanceError(r, 503, 'The image catalog is unreachable'));
    await client([await refusedUrl(), busy.url, fake.url]).updateImage('abc', [{ op: 'add', path: '/x', value: '1' }]);
    expect(fake.requests).toHaveLength(1);
  });

  it('creates with an id of its own, so a create repeated after a lost answer returns the image the first attempt made', async () => {
    const catalog = new FakeCatalog();
    const handler = catalog.handler();
    const dropping = await host(async (q, r) => {
      // Creates the image, then loses the answer.
      const body = await readBody(q);
      const id = (JSON.parse(body.toString()) as { id: string }).id;
      catalog.add(null, { id, name: 'cirros' });
      r.socket?.destroy();
    });
    const good = await host(handler);
    const image = await client([dropping.url, good.url]).createImage({ name: 'cirros', disk_format: 'raw', container_format: 'bare' });
    expect(image.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(image.status).toBe('queued');
    expect(catalog.images.size).toBe(1);
    expect(good.seen('POST')).toHaveLength(1);
    expect(good.seen('GET', `/v2/images/${image.id}`)).toHaveLength(1);
  });

  it('reports a 409 to a first create as a conflict', async () => {
    const catalog = new FakeCatalog();
    catalog.add(null, { id: '11111111-1111-1111-1111-111111111111' });
    const fake = await host(catalog.handler());
    const error = await failure(client([fake.url]).createImage({ id: '11111111-1111-1111-1111-111111111111' }));
    expect(error).toMatchObject({ kind: 'http', status: 409 });
    expect(error.message).toContain('already exists');
  });

  it('deletes; a 404 after an attempt whose answer was lost means the image is gone', async () => {
    const catalog = new FakeCatalog();
    const image = catalog.add(null);
    const id = image.doc.id as string;
    const dropping = await host((q) => {
      catalog.images.delete(id);
      q.socket.destroy();
    });
    const good = await host(catalog.handler());
    await client([dropping.url, good.url]).deleteImage(id);
    expect(good.seen('DELETE')).toHaveLength(1);
    expect((await failure(client([good.url]).deleteImage(id))).status).toBe(404);
  });
});

describe('endpoints from the controller', () => {
  function controllerFor(endpoints: () => unknown[], token = 'operator'): Promise<FakeHost> {
    return host((q, r) => {
      if (q.url !== '/api/v1/endpoints') return glanceError(r, 404, 'no');
      if (q.headers.authorization !== `Bearer ${token}`) return sendJson(r, 401, { statusCode: 401, message: 'bad token' });
      sendJson(r, 200, { catalog: [{ type: 'image', name: 'image-cluster', endpoints: endpoints() }] });
    });
  }

  it('uses the healthy endpoints, the unhealthy ones only as a last resort', async () => {
    const catalog = new FakeCatalog();
    const image = catalog.add(Buffer.from('x'));
    const healthy = await Promise.all([1, 2].map(() => host(catalog.handler())));
    const unhealthy = await host(catalog.handler());
    const controller = await controllerFor(() => [
      { url: healthy[0]!.url, hostname: 'a', hostId: '1', region: 'default', healthy: true, reason: '' },
      { url: healthy[1]!.url, hostname: 'b', hostId: '2', region: 'default', healthy: true, reason: '' },
      { url: unhealthy.url, hostname: 'c', hostId: '3', region: 'default', healthy: false, reason: 'host disconnected' },
    ]);
    const c = new ImageLibraryClient({ token: 'tok', controller: { url: controller.url, token: 'operator' }, random: seededRandom(3) });
    for (let i = 0; i < 20; i++) await c.getImage(image.doc.id as string);
    expect(unhealthy.requests).toHaveLength(0);
    expect(healthy[0]!.requests.length + healthy[1]!.requests.length).toBe(20);
    expect(c.endpoints().map((e) => [e.hostname, e.healthy])).toEqual([
      ['a', true],
      ['b', true],
      ['c', false],
    ]);
    healthy[0]!.handler = (_q, r) => glanceError(r, 503, 'down');
    healthy[1]!.handler = (_q, r) => glanceError(r, 503, 'down');
    await c.getImage(image.doc.id as string);
    expect(unhealthy.requests).toHaveLength(1);
  });

  it('asks the controller again after a failure and keeps its last list while the controller is away', async () => {
    const catalog = new FakeCatalog();
    const image = catalog.add(Buffer.from('x'));
    const [a, b] = await Promise.all([1, 2].map(() => host(catalog.handler())));
    let listed = [{ url: a!.url, healthy: true, reason: '' }];
    const controller = await controllerFor(() => listed);
    const c = new ImageLibraryClient({ token: 'tok', controller: { url: controller.url, token: 'operator', refreshIntervalMs: 60_000 }, random: KEEP_ORDER, maxAttempts: 1 });
    await c.getImage(image.doc.id as string);
    expect(controller.requests).toHaveLength(1);

    // a goes away, the controller now lists b.
    a!.handler = (_q, r) => glanceError(r, 503, 'down');
    listed = [{ url: b!.url, healthy: true, reason: '' }];
    await failure(c.getImage(image.doc.id as string));
    await new Promise((resolve) => setTimeout(resolve, 600));
    await c.getImage(image.doc.id as string);
    expect(controller.requests.length).toBeGreaterThanOrEqual(2);
    expect(b!.requests.length).toBeGreaterThanOrEqual(1);

    await controller.close();
    await c.refreshEndpoints();
    expect(c.endpoints().map((e) => e.url)).toEqual([b!.url]);
    await c.getImage(image.doc.id as string);
  });

  it('keeps to the deadline when the controller goes silent while every host fails', async () => {
    const busy = await host((_q, r) => glanceError(r, 503, 'busy'));
    let silent = false;
    const controller = await host((_q, r) => {
      if (!silent) sendJson(r, 200, { catalog: [{ type: 'image', endpoints: [{ url: busy.url, healthy: true, reason: '' }] }] });
    });
    const c = new ImageLibraryClient({ token: 'tok', controller: { url: controller.url, token: 'operator' }, responseTimeoutMs: 60_000 });
    await c.refreshEndpoints();
    silent = true;
    const started = Date.now();
    const error = await failure(c.getImage('abc', { deadlineMs: 700 }));
    expect(['deadline', 'unavailable']).toContain(error.kind);
    expect(Date.now() - started).toBeLessThan(1_500);
  });

  it('fails clearly when the controller cannot be asked at first', async () => {
    const controller = await controllerFor(() => [], 'other');
    const error = await failure(new ImageLibraryClient({ token: 'tok', controller: { url: controller.url, token: 'operator' } }).getImage('abc'));
    expect(error.kind).toBe('endpoints');
    expect(error.message).toContain('could not learn the image endpoints from the controller: 401');
    const empty = await controllerFor(() => []);
    expect((await failure(new ImageLibraryClient({ token: 'tok', controller: { url: empty.url, token: 'operator' } }).getImage('abc'))).kind).toBe('endpoints');
  });

  it('keeps only the endpoints of its region when asked to', async () => {
    const controller = await controllerFor(() => [
      { url: 'http://127.0.0.1:1', region: 'east', healthy: true, reason: '' },
      { url: 'http://127.0.0.1:2', region: 'west', healthy: true, reason: '' },
    ]);
    const c = new ImageLibraryClient({ token: 'tok', controller: { url: controller.url, token: 'operator', region: 'west' } });
    expect((await c.refreshEndpoints()).map((e) => e.url)).toEqual(['http://127.0.0.1:2']);
  });
});
