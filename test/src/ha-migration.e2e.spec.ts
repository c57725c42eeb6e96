import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ImageLibraryClient } from '@imagelib/client';
import { createHash, randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { rootAvailable, tempDir, waitFor } from './support/processes.js';
import { TestBed } from './support/testbed.js';
import { sha512 } from './support/hashing-sink.js';
import { type ImageView } from './support/controller.js';

const IMAGES = 3;
const IMAGE_BYTES = 2 * 1024 * 1024;
const LOOP_LIMIT_MS = 90_000;



describe('moving the image-library role to a new host on local disks: assign, wait until it holds everything, drain the old one', () => {
  if (!rootAvailable('the multi-host test bed (network and mount namespaces)')) {
    it('did not run: the test bed needs root (warned above)', () => undefined);
    return;
  }

  const bed = new TestBed({ hosts: 3, storage: 'local' });
  const controller = bed.controller;
  const images = Array.from({ length: IMAGES }, () => randomBytes(IMAGE_BYTES));
  const ids: string[] = [];
  let client: ImageLibraryClient;

  const imageViews = async () => (await controller.request<ImageView[]>('GET', '/api/v1/images')).body;
  const okOn = async (hostname: string) => (await imageViews()).filter((image) => image.hosts.some((h) => h.hostname === hostname && h.status === 'ok')).length;

  beforeAll(async () => {
    await bed.start();
    await bed.giveImageLibraryRole([bed.host('host-1'), bed.host('host-2')]);
    const token = (await controller.request<{ token: string }>('POST', '/api/v1/image-tokens', { subject: 'migration', project: 'demo', admin: true })).body.token;
    client = new ImageLibraryClient({
      token,
      controller: { url: `http://127.0.0.1:${controller.httpPort}`, token: controller.adminToken, refreshIntervalMs: 500 },
      connectTimeoutMs: 1_000,
      responseTimeoutMs: 2_000,
      deadlineMs: 30_000,
      failureCooldownMs: 5_000,
    });
    const dir = tempDir('migration-images');
    for (const [i, data] of images.entries()) {
      const path = join(dir, `image-${i}.raw`);
      writeFileSync(path, data);
      ids.push((await client.uploadImage({ name: `image-${i}`, disk_format: 'raw', container_format: 'bare' }, path)).id);
    }
    await waitFor('every image on host-1 and host-2', async () => (await okOn('host-1')) === IMAGES && (await okOn('host-2')) === IMAGES, 60_000);
  }, 120_000);

  afterAll(async () => {
    await bed.stop();
  });

  it('keeps every download right while host-3 takes over from host-1', async () => {
    const failures: string[] = [];
    const wrong: string[] = [];
    let done = 0;
    let moved = false;
    const started = Date.now();
    const worker = async (n: number) => {
      for (let i = n; Date.now() - started < LOOP_LIMIT_MS && !(moved && done >= 150); i++) {
        const index = i % IMAGES;
        const hash = createHash('sha512');
        let size = 0;
        const sink = new Writable({
          write(chunk: Buffer, _encoding, next) {
            hash.update(chunk);
            size += chunk.length;
            next();
          },
        });
        try {
          await client.downloadImage(ids[index]!, sink);
          const digest = hash.digest('hex');
          if (size !== IMAGE_BYTES || digest !== sha512(images[index]!)) wrong.push(`image ${index}: ${size} bytes`);
          done++;
        } catch (error) {
          failures.push(String(error));
        }
      }
    };
    const migrate = async () => {
      try {
        await bed.giveImageLibraryRole([bed.host('host-3')]);
        await waitFor('host-3 holding every image', async () => (await okOn('host-3')) === IMAGES, 60_000, 200);
        const drained = await controller.request('POST', `/api/v1/hosts/${bed.host('host-1').agent.hostId}/roles/image-library/drain`, {});
        expect(drained.status).toBe(202);
        await waitFor('host-1 without the role', async () => (await controller.host(bed.host('host-1').agent.hostId)).roles.length === 0, 60_000, 200);
      } finally {
        moved = true;
      }
    };
    const [migration] = await Promise.allSettled([migrate(), worker(0), worker(1), worker(2)]);
    console.log(`migration loop: ${done} downloads in ${Date.now() - started} ms, ${failures.length} failed`);
    if (migration.status === 'rejected') throw migration.reason;
    expect(failures).toEqual([]);
    expect(wrong).toEqual([]);
    expect(done).toBeGreaterThanOrEqual(150);
    const endpoints = (await controller.request<{ catalog: { endpoints: { hostname: string; healthy: boolean }[] }[] }>('GET', '/api/v1/endpoints')).body.catalog[0]!.endpoints;
    expect(endpoints.filter((e) => e.healthy).map((e) => e.hostname).sort()).toEqual(['host-2', 'host-3']);
  }, LOOP_LIMIT_MS + 60_000);

  it('drains host-3 while host-2 also holds everything, then refuses to drain host-2, the last holder, naming the images', async () => {
    const drainHost3 = await controller.request<{ message: string }>('POST', `/api/v1/hosts/${bed.host('host-3').agent.hostId}/roles/image-library/drain`, {});
    expect(drainHost3.status).toBe(202);
    await waitFor('host-3 without the role', async () => (await controller.host(bed.host('host-3').agent.hostId)).roles.length === 0, 60_000, 200);
    const refused = await controller.request<{ message: string }>('POST', `/api/v1/hosts/${bed.host('host-2').agent.hostId}/roles/image-library/drain`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/host host-2 holds the only good copy of 3 image\(s\)/);
    for (let i = 0; i < IMAGES; i++) expect(refused.body.message).toContain(`image-${i}`);
  }, 90_000);
});
