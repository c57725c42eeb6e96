import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { copyFileSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentProcess } from './support/agent.js';
import { ControllerProcess, type ImageView } from './support/controller.js';
import { tempDir, waitFor } from './support/processes.js';

const MARKER = '.imagelib-storage-id';

describe('storage identity: a marker confirmed by the live probe', () => {
  const controller = new ControllerProcess();
  // disk-a and shares-a use one directory (one storage); cloned-b has its own disk that carries a copy of a's marker.
  const agents = ['disk-a', 'cloned-b', 'shares-a'].map((name) => new AgentProcess(name, controller, ['--image-api-auth', 'none']));
  const diskA = join(tempDir('disk-a'), 'images');
  const diskB = join(tempDir('cloned-b'), 'images');
  const data = randomBytes(2 * 1024 * 1024 + 5);
  const sha512 = createHash('sha512').update(data).digest('hex');
  let ids: string[] = [];
  let urls: string[] = [];

  beforeAll(async () => {
    await controller.start();
    const token = await controller.joinToken({ maxUses: 3 });
    ids = await Promise.all(agents.map((agent) => agent.startConnected(token)));
    urls = await controller.giveImageLibraryRole([ids[0]!], [diskA]);
    // As a cloned disk or an rsync of the repository would: b's repository starts with a's marker.
    mkdirSync(diskB, { recursive: true });
    copyFileSync(join(diskA, MARKER), join(diskB, MARKER));
    urls.push(...(await controller.giveImageLibraryRole([ids[1]!, ids[2]!], [diskB, diskA])));
  });

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.kill('SIGTERM')));
    await controller.kill('SIGTERM');
  });

  it('hosts on one directory confirm each other; the host with the copied marker is a storage of its own, and told so', async () => {
    const [a, , c] = ids as [string, string, string];
    const settled = await waitFor('the probe settled on every host, the copy found out', async () => {
      const hosts = await Promise.all(ids.map((id) => controller.host(id)));
      const done = hosts.every((host) => host.repositories[0]?.storageProbeSettled) && hosts[1]!.conditions.some((condition) => condition.type === 'storage-marker-copied');
      return done ? hosts : undefined;
    }, 30_000, 200);
    const [hostA, hostB, hostC] = settled;
    expect(readFileSync(join(diskB, MARKER), 'utf8')).toBe(readFileSync(join(diskA, MARKER), 'utf8'));
    expect(hostA!.sharesStorageWith).toEqual([c]);
    expect(hostC!.sharesStorageWith).toEqual([a]);
    expect(hostB!.sharesStorageWith).toEqual([]);
    expect(hostA!.repositories[0]!.storagePeers).toEqual([c]);
    expect(hostB!.repositories[0]!.storagePeers).toEqual([]);
    const copied = hostB!.conditions.find((condition) => condition.type === 'storage-marker-copied')!;
    expect(copied.blocking).toBe(false);
    expect(copied.reason).toContain('disk-a');
    expect(copied.reason).toContain('neither sees the other');
    expect(hostA!.conditions.map((condition) => condition.type)).toContain('storage-marker-copied');
  });

  it('an image uploaded to disk-a is copied onto cloned-b (a storage apart), never onto shares-a (the same storage)', async () => {
    const created = await fetch(`${urls[0]}/v2/images`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'probe', disk_format: 'raw', container_format: 'bare' }) });
    const { id } = (await created.json()) as { id: string };
    expect((await fetch(`${urls[0]}/v2/images/${id}/file`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: data })).status).toBe(204);
    await waitFor('the image ok on all three hosts', async () => {
      const view = (await controller.request<ImageView>('GET', `/api/v1/images/${id}`)).body;
      return view.hosts.length === 3 && view.hosts.every((host) => host.status === 'ok');
    }, 30_000, 200);
    expect(createHash('sha512').update(readFileSync(join(diskB, id))).digest('hex')).toBe(sha512);
    const log = readFileSync(controller.logFile, 'utf8');
    expect(log).toContain(`asked host cloned-b to copy image ${id}`);
    expect(log).not.toContain(`asked host shares-a to copy image ${id}`);
  });
});
