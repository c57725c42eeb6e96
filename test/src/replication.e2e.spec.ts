import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { AgentProcess } from './support/agent.js';
import { ControllerProcess, type ImageView } from './support/controller.js';
import { tempDir, waitFor } from './support/processes.js';


describe('three hosts on local disks keep every image on every disk', () => {
  const controller = new ControllerProcess();
  const names = ['disk-a', 'disk-b', 'disk-c'];
  // Scrub fast so that damage is found within the test.
  const agents = names.map((name) => new AgentProcess(name, controller, ['--image-api-auth', 'none', '--scrub-bytes-per-second', String(1024 ** 3)]));
  const repositories = names.map((name) => join(tempDir(name), 'images'));
  const urls: string[] = [];
  const data = randomBytes(4 * 1024 * 1024 + 17);
  const sha512 = createHash('sha512').update(data).digest('hex');
  let imageId = '';

  beforeAll(async () => {
    await controller.start();
    const token = await controller.joinToken({ maxUses: 3 });
    const ids = await Promise.all(agents.map((agent) => agent.startConnected(token)));
    urls.push(...(await controller.giveImageLibraryRole(ids, repositories)));
  });

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.kill('SIGTERM')));
    await controller.kill('SIGTERM');
  });

  const statuses = async () => {
    const view = (await controller.request<ImageView>('GET', `/api/v1/images/${imageId}`)).body;
    return Object.fromEntries(view.hosts.map((h) => [h.hostname, h.status]));
  };
  const allOk = () => waitFor('the image ok on every host', async () => Object.values(await statuses()).every((s) => s === 'ok') && Object.keys(await statuses()).length === 3, 30_000);
  const fileOn = (i: number) => join(repositories[i] as string, imageId);

  it('copies an image uploaded to host A onto B and C', async () => {
    const created = await fetch(`${urls[0]}/v2/images`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'local', disk_format: 'raw', container_format: 'bare' }) });
    imageId = ((await created.json()) as { id: string }).id;
    await waitFor('the image on host A', async () => (await fetch(`${urls[0]}/v2/images/${imageId}`)).status === 200);
    expect((await fetch(`${urls[0]}/v2/images/${imageId}/file`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: data })).status).toBe(204);
    await allOk();
    for (const i of [1, 2]) expect(createHash('sha512').update(readFileSync(fileOn(i))).digest('hex')).toBe(sha512);
  });

  const copiesAskedOf = (hostname: string) => readFileSync(controller.logFile, 'utf8').split(`asked host ${hostname} to copy image ${imageId}`).length - 1;

  it('heals a copy removed from B', async () => {
    const before = copiesAskedOf('disk-b');
    rmSync(fileOn(1));
    // Healing can be quicker than a poll would see `missing`: wait for the copy to be asked for and back.
    await waitFor('a new copy asked of B', () => copiesAskedOf('disk-b') > before, 20_000);
    await waitFor('the copy back on B', () => existsSync(fileOn(1)) && readFileSync(fileOn(1)).equals(data), 20_000);
    await allOk();
  });

  it('finds a flipped byte on C by scrubbing, refuses to serve it, and heals it', async () => {
    const fd = openSync(fileOn(2), 'r+');
    writeSync(fd, Buffer.from([data[1000]! ^ 0xff]), 0, 1, 1000);
    closeSync(fd);
    await waitFor('the scrubber on C to find the damage', () => agents[2]!.log().includes('scrub found a damaged image file'), 30_000);
    await waitFor('the copy on C healed', () => readFileSync(fileOn(2)).equals(data), 30_000);
    await allOk();
    expect(readFileSync(fileOn(2)).equals(data)).toBe(true);
    const served = await fetch(`${urls[2]}/v2/images/${imageId}/file`);
    expect(createHash('sha512').update(Buffer.from(await served.arrayBuffer())).digest('hex')).toBe(sha512);
  });
});
