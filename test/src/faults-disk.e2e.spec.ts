import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentProcess } from './support/agent.js';
import { ControllerProcess } from './support/controller.js';
import { rootAvailable, tempDir, waitFor } from './support/processes.js';
import { sha512 } from './support/hashing-sink.js';

const DISK_MIB = 24;

describe('a full disk on an image host during an upload', () => {
  const ready = rootAvailable('a small tmpfs as the repository disk');
  const controller = new ControllerProcess({ IMAGELIB_IMAGE_COPIES: '1' });
  const agent = new AgentProcess('full-disk', controller);
  const disk = join(tempDir('full-disk'), 'disk');
  const repository = join(disk, 'images');
  let url = '';
  let imageToken = '';

  const glance = (method: string, path: string, body?: Buffer | string, contentType = 'application/json') =>
    fetch(`${url}${path}`, { method, headers: { 'X-Auth-Token': imageToken, ...(body === undefined ? {} : { 'content-type': contentType }) }, body, signal: AbortSignal.timeout(30_000) });
  const create = async (name: string) => ((await (await glance('POST', '/v2/images', JSON.stringify({ name, disk_format: 'raw', container_format: 'bare' }))).json()) as { id: string }).id;

  beforeAll(async () => {
    if (!ready) return;
    mkdirSync(disk);
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${DISK_MIB}m`, 'tmpfs', disk]);
    mkdirSync(repository);
    await controller.start();
    const id = await agent.startConnected(await controller.joinToken());
    [url] = await controller.giveImageLibraryRole([id], [repository]);
    imageToken = (await controller.request<{ token: string }>('POST', '/api/v1/image-tokens', { subject: 'disk', project: 'demo', admin: true })).body.token;
  });

  afterAll(async () => {
    if (!ready) return;
    await agent.kill('SIGTERM');
    await controller.kill('SIGTERM');
    execFileSync('umount', [disk]);
  });

  it('refuses an upload that does not fit with a clear error, keeps nothing of it, and takes uploads again once there is room', async () => {
    if (!ready) return;
    const filler = join(disk, 'filler');
    writeFileSync(filler, Buffer.alloc(12 * 1024 * 1024));
    const tooBig = await create('does-not-fit');
    const refused = await glance('PUT', `/v2/images/${tooBig}/file`, randomBytes(16 * 1024 * 1024), 'application/octet-stream');
    const body = await refused.text();
    expect([413, 507]).toContain(refused.status);
    expect(body).toMatch(/space|full/i);
    // Nothing half-written kept or served.
    expect(readdirSync(repository).filter((name) => !name.startsWith('.imagelib'))).toEqual([]);
    const image = (await (await glance('GET', `/v2/images/${tooBig}`)).json()) as { status: string };
    expect(['queued', 'killed']).toContain(image.status);
    expect((await glance('GET', `/v2/images/${tooBig}/file`)).status).not.toBe(200);

    rmSync(filler);
    const data = randomBytes(8 * 1024 * 1024);
    const fits = await create('fits');
    expect((await glance('PUT', `/v2/images/${fits}/file`, data, 'application/octet-stream')).status).toBe(204);
    const served = Buffer.from(await (await glance('GET', `/v2/images/${fits}/file`)).arrayBuffer());
    expect(sha512(served)).toBe(sha512(data));
    await waitFor('the image ok on the host', async () => (await controller.request<{ hosts: { status: string }[] }>('GET', `/api/v1/images/${fits}`)).body.hosts[0]?.status === 'ok');
  }, 120_000);
});
