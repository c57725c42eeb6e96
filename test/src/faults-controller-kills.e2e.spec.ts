import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentProcess } from './support/agent.js';
import { ControllerProcess, type ImageView } from './support/controller.js';
import { between, freePort, sleep, tempDir, waitFor } from './support/processes.js';
import { sha512 } from './support/hashing-sink.js';

/** kill -9 of the controller, at random moments, this many times: 20 in CI; IMAGELIB_FAULT_KILLS=50 or more for a full run (npm run soak: 300). */
const KILLS = Number(process.env.IMAGELIB_FAULT_KILLS ?? 20);
const IMAGE_BYTES = 256 * 1024;
const HEARTBEAT_MS = 500;



/**
 * What was acknowledged to a client while the controller was being killed: an upload answered 204,
 * a deletion answered 204, a role change answered 2xx. Everything here must survive.
 */
class Acknowledged {
  readonly uploads = new Map<string, string>();
  readonly deletions = new Set<string>();
  /** Deletions whose answer was lost (the controller died after committing, or before): either outcome is right. */
  readonly unsureDeletions = new Set<string>();
  role: 'assigned' | 'removed' | null = null;
  readonly refused: Record<string, number> = {};

  refusal(what: string): void {
    this.refused[what] = (this.refused[what] ?? 0) + 1;
  }
}

describe(`the controller killed -9 ${KILLS} times during uploads, deletions, role changes and replication`, () => {
  const controller = new ControllerProcess({ IMAGELIB_HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS) });
  const [hostA, hostB, hostC] = ['kill-a', 'kill-b', 'kill-c'].map((name) => new AgentProcess(name, controller)) as [AgentProcess, AgentProcess, AgentProcess];
  const repositories = [join(tempDir('kills-a'), 'images'), join(tempDir('kills-b'), 'images')];
  const acknowledged = new Acknowledged();
  let urls: string[] = [];
  let imageToken = '';
  const kills: number[] = [];

  const glance = (url: string, method: string, path: string, body?: Buffer | string, contentType = 'application/json') =>
    fetch(`${url}${path}`, { method, headers: { 'X-Auth-Token': imageToken, ...(body === undefined ? {} : { 'content-type': contentType }) }, body, signal: AbortSignal.timeout(15_000) });

  beforeAll(async () => {
    await controller.start();
    const joinToken = await controller.joinToken({ maxUses: 3 });
    const [a, b] = await Promise.all([hostA, hostB, hostC].map((agent) => agent.startConnected(joinToken)));
    urls = await controller.giveImageLibraryRole([a!, b!], repositories);
    imageToken = (await controller.request<{ token: string }>('POST', '/api/v1/image-tokens', { subject: 'faults', project: 'demo', admin: true, ttlSeconds: 3600 })).body.token;
  });

  afterAll(async () => {
    await Promise.all([hostA, hostB, hostC].map((agent) => agent.kill('SIGTERM')));
    await controller.kill('SIGTERM');
  });

  /** Uploads through host A: create, then data; acknowledged only when the data PUT answers 204. */
  const uploader = async (until: () => boolean) => {
    while (!until()) {
      try {
        const created = await glance(urls[0]!, 'POST', '/v2/images', JSON.stringify({ name: `fault-${randomBytes(3).toString('hex')}`, disk_format: 'raw', container_format: 'bare' }));
        if (created.status !== 201) {
          acknowledged.refusal(`create ${created.status}`);
          await created.body?.cancel();
          await sleep(100);
          continue;
        }
        const { id } = (await created.json()) as { id: string };
        const data = randomBytes(IMAGE_BYTES);
        const put = await glance(urls[0]!, 'PUT', `/v2/images/${id}/file`, data, 'application/octet-stream');
        await put.body?.cancel();
        if (put.status === 204) acknowledged.uploads.set(id, sha512(data));
        else acknowledged.refusal(`upload ${put.status}`);
      } catch (error) {
        acknowledged.refusal(`upload ${(error as Error).name}`);
        await sleep(100);
      }
    }
  };

  /** Deletes every third acknowledged image; acknowledged when DELETE answers 204. */
  const deleter = async (until: () => boolean) => {
    while (!until()) {
      const candidates = [...acknowledged.uploads.keys()].filter((id, i) => i % 3 === 0 && !acknowledged.deletions.has(id) && !acknowledged.unsureDeletions.has(id));
      const id = candidates[0];
      if (!id) {
        await sleep(100);
        continue;
      }
      try {
        const deleted = await glance(urls[0]!, 'DELETE', `/v2/images/${id}`);
        await deleted.body?.cancel();
        // 404: an earlier attempt whose answer was lost did delete it.
        if (deleted.status === 204 || deleted.status === 404) acknowledged.deletions.add(id);
        else {
          acknowledged.unsureDeletions.add(id);
          acknowledged.refusal(`delete ${deleted.status}`);
        }
      } catch (error) {
        acknowledged.unsureDeletions.add(id);
        acknowledged.refusal(`delete ${(error as Error).name}`);
      }
      await sleep(50);
    }
  };

  /** Assigns and removes the role of host C over REST, again and again; the last acknowledged change counts. */
  const roleChanger = async (until: () => boolean) => {
    const port = await freePort();
    const repository = join(tempDir('kills-c'), 'images');
    while (!until()) {
      const assign = acknowledged.role !== 'assigned';
      try {
        const answer = assign
          ? await controller.request('PUT', `/api/v1/hosts/${hostC.hostId}/roles/image-library`, { repositoryPath: repository, port })
          : await controller.request('DELETE', `/api/v1/hosts/${hostC.hostId}/roles/image-library?force=true`);
        if (answer.status >= 200 && answer.status < 300) acknowledged.role = assign ? 'assigned' : 'removed';
        else acknowledged.refusal(`role ${answer.status}`);
      } catch (error) {
        acknowledged.refusal(`role ${(error as Error).name}`);
      }
      await sleep(between(100, 400));
    }
  };

  it('loses nothing that was acknowledged, serves no image without its whole file and leaves no temporary file', async () => {
    let killing = true;
    const killer = async () => {
      try {
        for (let i = 0; i < KILLS; i++) {
          // Once the image hosts are back (writes flow again), at a random moment of the work.
          await waitFor('hosts A and B connected', async () => (await controller.hosts()).filter((h) => h.connected && h.hostname !== 'kill-c').length === 2, 30_000, 50);
          await sleep(between(50, 1_500));
          const at = Date.now();
          await controller.kill('SIGKILL');
          kills.push(at);
          await controller.start();
        }
      } finally {
        killing = false;
      }
    };
    const stopped = () => !killing;
    await Promise.all([killer(), uploader(stopped), deleter(stopped), roleChanger(stopped)]);
    console.log(`${kills.length} kills; acknowledged: ${acknowledged.uploads.size} uploads, ${acknowledged.deletions.size} deletions (${acknowledged.unsureDeletions.size} more whose answer was lost), role ${acknowledged.role}; refused or failed while down: ${JSON.stringify(acknowledged.refused)}`);
    expect(kills.length).toBe(KILLS);
    expect(acknowledged.uploads.size).toBeGreaterThan(0);
    expect(acknowledged.deletions.size).toBeGreaterThan(0);

    // The agents reconnected by themselves.
    await waitFor('every agent connected again', async () => (await controller.hosts()).every((h) => h.connected), 20_000);

    // The last acknowledged role change of host C holds.
    const roleOfC = async () => (await controller.host(hostC.hostId)).roles[0]?.state;
    if (acknowledged.role === 'assigned') await waitFor('host C role active', async () => (await roleOfC()) === 'active', 30_000);
    else await waitFor('host C without the role', async () => (await roleOfC()) === undefined, 30_000);

    // Every acknowledged upload that was not deleted: active, its hash, ok on both hosts (replicated).
    const live = [...acknowledged.uploads].filter(([id]) => !acknowledged.deletions.has(id) && !acknowledged.unsureDeletions.has(id));
    await waitFor(
      'every acknowledged image active and ok on both hosts',
      async () => {
        const images = new Map((await controller.request<ImageView[]>('GET', '/api/v1/images')).body.map((image) => [image.id, image]));
        const behind = live.filter(([id, hash]) => {
          const image = images.get(id);
          return !image || image.status !== 'active' || image.osHashValue !== hash || image.hosts.filter((h) => h.status === 'ok' && h.hostname !== 'kill-c').length !== 2;
        });
        if (behind.length === 0) return true;
        throw new Error(`${behind.length} behind, e.g. ${JSON.stringify(images.get(behind[0]![0]) ?? behind[0]![0])}`);
      },
      90_000,
      500,
    );

    // Every acknowledged deletion: gone from the catalog, and its files gone from both disks.
    for (const id of acknowledged.deletions) expect((await controller.request('GET', `/api/v1/images/${id}`)).status).toBe(404);
    const fileNames = () => repositories.flatMap((repository) => readdirSync(repository));
    await waitFor('deleted images gone from the disks', () => [...acknowledged.deletions].every((id) => !fileNames().some((name) => name.includes(id))), 30_000, 250);

    // No image is active without a complete, correctly hashed file where a host says `ok`.
    const images = (await controller.request<ImageView[]>('GET', '/api/v1/images')).body;
    for (const image of images.filter((i) => i.status === 'active')) {
      for (const [index, repository] of repositories.entries()) {
        const hostname = index === 0 ? 'kill-a' : 'kill-b';
        if (image.hosts.find((h) => h.hostname === hostname)?.status !== 'ok') continue;
        const path = join(repository, image.fileName!);
        expect(existsSync(path)).toBe(true);
        expect(sha512(readFileSync(path))).toBe(image.osHashValue);
      }
    }

    // No temporary file left behind (uploads that were refused cleaned up after themselves).
    await waitFor('no temporary files in the repositories', () => fileNames().filter((name) => name.startsWith('.upload-') || name.startsWith('.replica-')).length === 0 || undefined, 30_000, 250);
  }, 20 * 60_000);
});
