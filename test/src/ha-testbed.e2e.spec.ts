import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ImageLibraryClient } from '@imagelib/client';
import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Endpoint, hashingSink, sha512 } from './support/hashing-sink.js';
import { rootAvailable, sleep, tempDir, waitFor } from './support/processes.js';
import { TestBed } from './support/testbed.js';

const HEARTBEAT_MS = 1_000;
const SMALL_IMAGE_BYTES = 1024 * 1024;
const LARGE_IMAGE_BYTES = 48 * 1024 * 1024;
const DOWNLOADS = 500;
const CONCURRENCY = 4;
const LOOP_LIMIT_MS = 150_000;

describe('hosts in their own network and mount namespaces on one shared storage', () => {
  if (!rootAvailable('the multi-host test bed (network and mount namespaces)')) {
    it('did not run: the test bed needs root (warned above)', () => undefined);
    return;
  }

  const bed = new TestBed({ hosts: 3, storage: 'shared', controllerEnv: { IMAGELIB_HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS) } });
  const controller = bed.controller;
  const small = randomBytes(SMALL_IMAGE_BYTES);
  const large = randomBytes(LARGE_IMAGE_BYTES);
  let imageToken = '';
  let client: ImageLibraryClient;
  let smallId = '';
  let largeId = '';

  const endpoints = async (): Promise<Endpoint[]> =>
    (await controller.request<{ catalog: { endpoints: Endpoint[] }[] }>('GET', '/api/v1/endpoints')).body.catalog[0]?.endpoints ?? [];
  const endpointOf = async (hostname: string) => (await endpoints()).find((e) => e.hostname === hostname);
  const allHealthy = async () => (await endpoints()).filter((e) => e.healthy).length === bed.hosts.length;

  beforeAll(async () => {
    await bed.start();
    await bed.giveImageLibraryRole();
    await waitFor('every image endpoint healthy', allHealthy, 20_000);
    imageToken = (await controller.request<{ token: string }>('POST', '/api/v1/image-tokens', { subject: 'testbed', project: 'demo', admin: true })).body.token;
    client = new ImageLibraryClient({
      token: imageToken,
      controller: { url: `http://127.0.0.1:${controller.httpPort}`, token: controller.adminToken, refreshIntervalMs: 1_000 },
      connectTimeoutMs: 1_000,
      responseTimeoutMs: 2_000,
      deadlineMs: 30_000,
      transferDeadlineMs: 60_000,
      failureCooldownMs: 5_000,
    });
    const files = tempDir('testbed-images');
    for (const [name, data] of [['small', small], ['large', large]] as const) {
      const path = join(files, `${name}.raw`);
      writeFileSync(path, data);
      const image = await client.uploadImage({ name, disk_format: 'raw', container_format: 'bare' }, path);
      expect(image).toMatchObject({ status: 'active', size: data.length, os_hash_value: sha512(data) });
      if (name === 'small') smallId = image.id;
      else largeId = image.id;
    }
    for (const id of [smallId, largeId]) {
      await waitFor(`image ${id} ok on every host`, async () => {
        const view = (await controller.request<{ hosts: { status: string }[] }>('GET', `/api/v1/images/${id}`)).body;
        return view.hosts.length === bed.hosts.length && view.hosts.every((h) => h.status === 'ok');
      }, 20_000);
    }
  }, 120_000);

  afterAll(async () => {
    await bed.stop();
  });

  it('reaches every host over its own address and sees one storage group', async () => {
    const listed = await endpoints();
    expect(listed.map((e) => e.url).sort()).toEqual(bed.hosts.map((h) => h.url).sort());
    for (const host of bed.hosts) {
      const response = await fetch(`${host.url}/v2/images/${smallId}`, { headers: { 'X-Auth-Token': imageToken } });
      expect(response.status).toBe(200);
    }
    // One shared storage: a file written through one host's mount is there through the others'.
    expect(bed.host('host-2').inMountNamespace(['ls', '/srv/imagelib-testbed/images'])).toContain(smallId);
    // The agents find that out themselves: one marker, confirmed by each seeing the others' probe writes.
    const hosts = await waitFor('every host confirmed on one storage', async () => {
      const views = await controller.hosts();
      return views.every((view) => view.sharesStorageWith.length === bed.hosts.length - 1 && view.repositories[0]?.storagePeers.length === bed.hosts.length - 1) ? views : undefined;
    }, 20_000, 200);
    expect(hosts.flatMap((view) => view.conditions.map((condition) => condition.type))).not.toContain('storage-marker-copied');
  });

  it(
    `keeps ${DOWNLOADS} downloads right while host-1 is killed -9 and host-2's link is cut, then both come back`,
    async () => {
      const failures: string[] = [];
      const wrong: string[] = [];
      const stats = { done: 0, resumes: 0, restarts: 0 };
      const started = Date.now();
      let chaosOver = false;
      const expected = sha512(small);

      const worker = async () => {
        while (Date.now() - started < LOOP_LIMIT_MS && !(chaosOver && stats.done + failures.length >= DOWNLOADS)) {
          try {
            const sink = hashingSink();
            const result = await client.downloadImage(smallId, sink.stream);
            const { size, sha512: digest } = sink.digest();
            if (size !== SMALL_IMAGE_BYTES || digest !== expected) wrong.push(`${size} bytes, ${digest}`);
            stats.resumes += result.resumes;
            stats.restarts += result.restarts;
            stats.done++;
          } catch (error) {
            failures.push(String(error));
          }
        }
      };

      const timeline: string[] = [];
      const mark = (what: string) => timeline.push(`${Date.now() - started} ms ${what} (${stats.done} done)`);
      const detection: Record<string, number> = {};
      const chaos = async () => {
        const host1 = bed.host('host-1');
        const host2 = bed.host('host-2');
        try {
          await waitFor('some downloads', () => stats.done >= 50, 30_000, 10);
          mark('kill -9 host-1');
          let since = Date.now();
          await host1.agent.kill('SIGKILL');
          await waitFor('host-1 out of the healthy endpoints', async () => (await endpointOf('host-1'))?.healthy === false, 10_000, 20);
          detection['kill -9'] = Date.now() - since;
          expect(await endpointOf('host-1')).toMatchObject({ healthy: false, reason: 'host disconnected' });
          mark('host-1 unhealthy');
          since = Date.now();
          mark("cut host-2's link");
          host2.cutLink();
          await waitFor('host-2 out of the healthy endpoints', async () => (await endpointOf('host-2'))?.healthy === false, 15_000, 20);
          detection['link cut'] = Date.now() - since;
          mark('host-2 unhealthy');
          await sleep(3_000);
          mark("restore host-2's link, restart host-1");
          host2.restoreLink();
          await host1.agent.startConnected();
          await waitFor('every host healthy again', allHealthy, 30_000);
          mark('all healthy');
        } finally {
          host2.restoreLink();
          chaosOver = true;
        }
      };

      const [chaosResult] = await Promise.allSettled([chaos(), ...Array.from({ length: CONCURRENCY }, () => worker())]);
      console.log(
        `${timeline.join('\n')}\ntest-bed loop: ${stats.done} downloads in ${Date.now() - started} ms, ${stats.resumes} resumed with Range, ${stats.restarts} restarted; ` +
          `out of the endpoints after: ${Object.entries(detection).map(([fault, ms]) => `${fault} ${ms} ms`).join(', ')}`,
      );
      if (chaosResult.status === 'rejected') throw chaosResult.reason;
      expect(failures).toEqual([]);
      expect(wrong).toEqual([]);
      expect(stats.done).toBeGreaterThanOrEqual(DOWNLOADS);
    },
    LOOP_LIMIT_MS + 60_000,
  );

  it('drains host-3 during slow downloads from it: they all complete, the host leaves the endpoint list at once, then its service stops', async () => {
    const host3 = bed.host('host-3');
    await waitFor('every host healthy', allHealthy, 30_000);
    const url = `${host3.url}/v2/images/${largeId}/file`;
    const transfers = Array.from({ length: 3 }, async () => {
      const response = await fetch(url, { headers: { 'X-Auth-Token': imageToken } });
      expect(response.status).toBe(200);
      const sink = hashingSink(2);
      const reader = response.body!.getReader();
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        await new Promise<void>((resolve, reject) => sink.stream.write(value, (error) => (error ? reject(error) : resolve())));
      }
      return sink.digest();
    });
    await sleep(300);
    const drained = await controller.request<{ state: string }>('POST', `/api/v1/hosts/${host3.agent.hostId}/roles/image-library/drain`, {});
    expect(drained).toMatchObject({ status: 202, body: { state: 'removing' } });
    // Out of the endpoint list the moment the drain is accepted (a draining host is not listed at all).
    expect((await endpoints()).filter((e) => e.healthy).map((e) => e.hostname).sort()).toEqual(['host-1', 'host-2']);
    const results = await Promise.all(transfers);
    for (const result of results) expect(result).toEqual({ size: LARGE_IMAGE_BYTES, sha512: sha512(large) });
    await waitFor('host-3 image service stopped', async () => {
      try {
        await fetch(`${host3.url}/healthz`, { signal: AbortSignal.timeout(1_000) });
        return false;
      } catch {
        return true;
      }
    }, 60_000);
    // The other hosts go on serving.
    const sink = hashingSink();
    await client.downloadImage(largeId, sink.stream);
    expect(sink.digest()).toEqual({ size: LARGE_IMAGE_BYTES, sha512: sha512(large) });
  }, 120_000);
});
