import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { ImageLibraryClient } from '@imagelib/client';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentProcess } from './support/agent.js';
import { ControllerProcess } from './support/controller.js';
import { type Endpoint, hashingSink, sha512 } from './support/hashing-sink.js';
import { sleep, tempDir, waitFor } from './support/processes.js';

const HEARTBEAT_MS = 500;
const IMAGE_BYTES = 8 * 1024 * 1024;
const DOWNLOADS = 200;
const CONCURRENCY = 4;
const LOOP_LIMIT_MS = 60_000;

/**
 * What Nova's glance client does (nova.image.glance, api_servers + num_retries): shuffle the
 * endpoint URLs, then GET the data from one after the other, moving on on 503 or a connection error.
 */
async function stockDownload(urls: string[], imageId: string, token: string, log: string[]): Promise<Buffer> {
  for (const url of urls) {
    let response: Response;
    try {
      response = await fetch(`${url}/v2/images/${imageId}/file`, { headers: { 'X-Auth-Token': token }, signal: AbortSignal.timeout(10_000) });
    } catch (error) {
      log.push(`${url}: ${String(error)}`);
      continue;
    }
    if (response.status === 503) {
      log.push(`${url}: 503`);
      await response.body?.cancel();
      continue;
    }
    if (response.status !== 200) throw new Error(`${url} answered ${response.status}`);
    log.push(`${url}: 200`);
    return Buffer.from(await response.arrayBuffer());
  }
  throw new Error(`every server failed: ${log.join(', ')}`);
}

function shuffled<T>(items: T[]): T[] {
  const result = [...items];
  for (let i = result.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [result[i], result[j]] = [result[j] as T, result[i] as T];
  }
  return result;
}

describe('clients fail over between image hosts', () => {
  // One copy per image: no replication onto host-d's storage.
  const controller = new ControllerProcess({ IMAGELIB_HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS), IMAGELIB_IMAGE_COPIES: '1' });
  // a, b and c share one repository (shared storage); d has its own, so it lacks the image's file.
  const agents = ['host-a', 'host-b', 'host-c', 'host-d'].map((name) => new AgentProcess(name, controller));
  const [hostA, hostB] = agents as [AgentProcess, AgentProcess];
  const shared = join(tempDir('shared'), 'images');
  const own = join(tempDir('own'), 'images');
  const data = randomBytes(IMAGE_BYTES);
  const dataSha512 = sha512(data);
  const dataFile = join(tempDir('upload'), 'image.raw');
  let client: ImageLibraryClient;
  let imageToken = '';
  let imageId = '';

  const endpoints = async (): Promise<Endpoint[]> =>
    (await controller.request<{ catalog: { endpoints: Endpoint[] }[] }>('GET', '/api/v1/endpoints')).body.catalog[0]?.endpoints ?? [];
  const endpointOf = async (hostname: string) => (await endpoints()).find((e) => e.hostname === hostname);

  beforeAll(async () => {
    writeFileSync(dataFile, data);
    await controller.start();
    const joinToken = await controller.joinToken({ maxUses: agents.length });
    const ids = await Promise.all(agents.map((agent) => agent.startConnected(joinToken)));
    await controller.giveImageLibraryRole(ids, [shared, shared, shared, own]);
    await waitFor('every image endpoint healthy', async () => {
      const listed = await endpoints();
      return listed.length === agents.length && listed.every((e) => e.healthy);
    });
    imageToken = (await controller.request<{ token: string }>('POST', '/api/v1/image-tokens', { subject: 'failover', project: 'demo', admin: true })).body.token;
    client = new ImageLibraryClient({
      token: imageToken,
      controller: { url: `http://127.0.0.1:${controller.httpPort}`, token: controller.adminToken, refreshIntervalMs: 1_000 },
      connectTimeoutMs: 1_000,
      responseTimeoutMs: 1_500,
      deadlineMs: 20_000,
      transferDeadlineMs: 30_000,
      failureCooldownMs: 5_000,
    });
  });

  afterAll(async () => {
    hostB.signal('SIGCONT');
    await Promise.all(agents.map((agent) => agent.kill('SIGTERM')));
    await controller.kill('SIGTERM');
  });

  it('uploads an 8 MiB image with the client; every host lists it, the shared ones have its data', async () => {
    // Onto the shared storage (any of a, b, c): a fixed list of endpoints, taken from the controller's.
    const sharedUrls = (await endpoints()).filter((e) => e.hostname !== 'host-d').map((e) => e.url);
    const uploader = new ImageLibraryClient({ token: imageToken, endpoints: sharedUrls });
    const progress: number[] = [];
    const image = await uploader.uploadImage({ name: 'failover', disk_format: 'raw', container_format: 'bare' }, dataFile, { onProgress: (done) => progress.push(done) });
    imageId = image.id;
    expect(image).toMatchObject({ status: 'active', size: IMAGE_BYTES, os_hash_algo: 'sha512', os_hash_value: dataSha512 });
    expect(progress.at(-1)).toBe(IMAGE_BYTES);
    await waitFor('the image statuses: ok on the shared storage, missing on host-d', async () => {
      const view = (await controller.request<{ hosts: { hostname: string; status: string }[] }>('GET', `/api/v1/images/${imageId}`)).body;
      const byHost = Object.fromEntries(view.hosts.map((h) => [h.hostname, h.status]));
      if (byHost['host-a'] === 'ok' && byHost['host-b'] === 'ok' && byHost['host-c'] === 'ok' && byHost['host-d'] === 'missing') return true;
      throw new Error(`statuses now ${JSON.stringify(view.hosts)}`);
    }, 20_000);
    // Every host's catalog copy has the image active before the download loop reads it anywhere.
    for (const endpoint of await endpoints()) {
      await waitFor(`the image active on ${endpoint.hostname}`, async () => {
        const response = await fetch(`${endpoint.url}/v2/images/${imageId}`, { headers: { 'X-Auth-Token': imageToken } });
        return response.ok && ((await response.json()) as { status: string }).status === 'active';
      });
    }
  });

  it(
    `keeps ${DOWNLOADS}+ downloads right while one host is killed -9 and restarted and another is frozen (SIGSTOP) for 3 s`,
    async () => {
      const failures: string[] = [];
      const wrong: string[] = [];
      const stats = { done: 0, resumes: 0, restarts: 0, toFile: 0, slowestMs: 0 };
      const started = Date.now();
      let chaosOver = false;
      const downloadDir = tempDir('downloads');

      const worker = async (n: number) => {
        for (let i = 0; ; i++) {
          if (Date.now() - started > LOOP_LIMIT_MS || (chaosOver && stats.done + failures.length >= DOWNLOADS)) return;
          const began = Date.now();
          try {
            if (i % 10 === 0) {
              const path = join(downloadDir, `w${n}-${i}.raw`);
              const result = await client.downloadImage(imageId, path);
              const written = readFileSync(path);
              if (written.length !== IMAGE_BYTES || sha512(written) !== dataSha512) wrong.push(`${path}: ${written.length} bytes`);
              rmSync(path);
              stats.resumes += result.resumes;
              stats.restarts += result.restarts;
              stats.toFile++;
            } else {
              const sink = hashingSink();
              const result = await client.downloadImage(imageId, sink.stream);
              const { size, sha512: digest } = sink.digest();
              if (size !== IMAGE_BYTES || digest !== dataSha512) wrong.push(`stream: ${size} bytes, ${digest}`);
              stats.resumes += result.resumes;
              stats.restarts += result.restarts;
            }
            stats.done++;
            stats.slowestMs = Math.max(stats.slowestMs, Date.now() - began);
          } catch (error) {
            failures.push(String(error));
          }
        }
      };

      const timeline: string[] = [];
      const mark = (what: string) => timeline.push(`${Date.now() - started} ms ${what} (${stats.done} done)`);
      const chaos = async () => {
        try {
          await waitFor('some downloads', () => stats.done >= 20, 20_000, 10);
          mark('kill -9 host-a');
          await hostA.kill('SIGKILL');
          await waitFor('host-a out of the healthy endpoints', async () => (await endpointOf('host-a'))?.healthy === false, 5_000);
          expect(await endpointOf('host-a')).toMatchObject({ healthy: false, reason: 'host disconnected' });
          await waitFor("host-a out of the client's healthy endpoints", () => client.endpoints().find((e) => e.hostname === 'host-a')?.healthy === false, 5_000);
          mark('host-a unhealthy');
          await sleep(1_500);
          mark('restart host-a');
          await hostA.startConnected();
          await waitFor('host-a healthy again', async () => (await endpointOf('host-a'))?.healthy === true, 15_000);
          mark('host-a healthy');
          await sleep(500);
          mark('SIGSTOP host-b');
          hostB.signal('SIGSTOP');
          await sleep(3_000);
          mark('SIGCONT host-b');
          hostB.signal('SIGCONT');
          await waitFor('host-b healthy again', async () => (await endpointOf('host-b'))?.healthy === true, 15_000);
          mark('host-b healthy');
        } finally {
          hostB.signal('SIGCONT');
          chaosOver = true;
        }
      };

      const [chaosResult] = await Promise.allSettled([chaos(), ...Array.from({ length: CONCURRENCY }, (_, n) => worker(n))]);
      console.log(`${timeline.join('\n')}\nfailover loop: ${stats.done} downloads (${stats.toFile} to files) in ${Date.now() - started} ms, ${stats.resumes} resumed with Range, ${stats.restarts} restarted, slowest ${stats.slowestMs} ms`);
      if (chaosResult.status === 'rejected') throw chaosResult.reason;
      expect(failures).toEqual([]);
      expect(wrong).toEqual([]);
      expect(stats.done).toBeGreaterThanOrEqual(DOWNLOADS);
    },
    90_000,
  );

  it('serves a stock client (shuffle, next server on 503 or connection error) although one host lacks the file', async () => {
    const listed = (await endpoints()).filter((e) => e.healthy);
    expect(listed.map((e) => e.hostname).sort()).toEqual(['host-a', 'host-b', 'host-c', 'host-d']);
    const missing = listed.find((e) => e.hostname === 'host-d')!;
    expect((await fetch(`${missing.url}/v2/images/${imageId}/file`, { headers: { 'X-Auth-Token': imageToken } })).status).toBe(503);
    // Every host first once (the rest shuffled), then purely shuffled orders.
    const orders = [...listed.map((first) => [first.url, ...shuffled(listed.filter((e) => e !== first).map((e) => e.url))]), ...Array.from({ length: 8 }, () => shuffled(listed.map((e) => e.url)))];
    for (const order of orders) {
      const log: string[] = [];
      const body = await stockDownload(order, imageId, imageToken, log);
      expect(body.length).toBe(IMAGE_BYTES);
      expect(sha512(body)).toBe(dataSha512);
      if (order[0] === missing.url) expect(log[0]).toBe(`${missing.url}: 503`);
    }
  });
});
