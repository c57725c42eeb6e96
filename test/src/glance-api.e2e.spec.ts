import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentProcess } from './support/agent.js';
import { ControllerProcess, type ImageView } from './support/controller.js';
import { GlanceCli, glanceAvailable, tableValue } from './support/glance-cli.js';
import { tempDir, waitFor } from './support/processes.js';


describe('the image service with the real glance client', () => {
  const available = glanceAvailable();
  // One copy per image: host C, on its own disk, keeps lacking the data (replication has its own test).
  const controller = new ControllerProcess({ IMAGELIB_IMAGE_COPIES: '1' });
  const agents = ['host-a', 'host-b', 'host-c'].map((name) => new AgentProcess(name, controller));
  const shared = join(tempDir('shared'), 'images');
  const own = join(tempDir('own'), 'images');
  const urls: string[] = [];
  let glance: GlanceCli;
  /** A project member's token (not admin), for what Glance refuses to non-admins. */
  let memberToken = '';
  const data = randomBytes(3_000_000);
  const dataFile = join(tempDir('data'), 'cirros.raw');
  let imageId = '';

  beforeAll(async () => {
    if (!available) return;
    writeFileSync(dataFile, data);
    await controller.start();
    const token = await controller.joinToken({ maxUses: 3 });
    const ids = await Promise.all(agents.map((agent) => agent.startConnected(token)));
    urls.push(...(await controller.giveImageLibraryRole(ids, ids.map((_, i) => (i < 2 ? shared : own)))));
    const issued = await controller.request<{ token: string }>('POST', '/api/v1/image-tokens', { subject: 'e2e-admin', project: 'demo', admin: true });
    glance = new GlanceCli(issued.body.token);
    memberToken = (await controller.request<{ token: string }>('POST', '/api/v1/image-tokens', { subject: 'e2e-member', project: 'demo' })).body.token;
  });

  afterAll(async () => {
    if (!available) return;
    await Promise.all(agents.map((agent) => agent.kill('SIGTERM')));
    await controller.kill('SIGTERM');
  });

  const image = async () => (await controller.request<ImageView>('GET', `/api/v1/images/${imageId}`)).body;

  it('creates an image with data through host A (image-create --file)', () => {
    if (!available) return;
    const out = glance.ok(urls[0]!, 'image-create', '--name', 'cirros', '--disk-format', 'raw', '--container-format', 'bare', '--file', dataFile);
    imageId = tableValue(out, 'id') ?? '';
    expect(imageId).toMatch(/^[0-9a-f-]{36}$/);
    expect(tableValue(out, 'status')).toBe('active');
    expect(tableValue(out, 'size')).toBe('3000000');
    expect(tableValue(out, 'checksum')).toBe(createHash('md5').update(data).digest('hex'));
  });

  it('stores the SHA-512 Glance clients verify, and the owner from the token', async () => {
    const response = await fetch(`${urls[1]}/v2/images/${imageId}`, { headers: { 'X-Auth-Token': memberToken } });
    const document = (await response.json()) as Record<string, unknown>;
    expect(document).toMatchObject({
      os_hash_algo: 'sha512',
      os_hash_value: createHash('sha512').update(data).digest('hex'),
      owner: 'demo',
      virtual_size: 3_000_000,
      self: `/v2/images/${imageId}`,
      file: `/v2/images/${imageId}/file`,
      schema: '/v2/schemas/image',
    });
    expect(document).not.toHaveProperty('stores');
  });

  it('lists it on every host, also with the schema cached from an earlier command', async () => {
    if (!available) return;
    for (const url of urls) {
      const listed = await waitFor('the image on every host', () => {
        const out = glance.ok(url, 'image-list');
        return out.includes(imageId) ? out : undefined;
      });
      expect(listed).toContain('cirros');
    }
  });

  it('shows the same metadata on every host', () => {
    if (!available) return;
    const shown = urls.map((url) => glance.ok(url, 'image-show', imageId));
    for (const field of ['size', 'checksum', 'os_hash_value', 'status', 'disk_format']) {
      expect(new Set(shown.map((out) => tableValue(out, field))).size).toBe(1);
    }
  });

  it('serves the data from both hosts on the shared storage (the client checks the hash) and 503 from the host without it', async () => {
    if (!available) return;
    await waitFor('statuses: ok on the shared storage, missing on host C', async () => {
      const view = await image();
      const byHost = Object.fromEntries(view.hosts.map((h) => [h.hostname, h.status]));
      return byHost['host-a'] === 'ok' && byHost['host-b'] === 'ok' && byHost['host-c'] === 'missing';
    });
    for (const url of urls.slice(0, 2)) {
      const out = join(tempDir('download'), 'out.raw');
      glance.ok(url, 'image-download', '--file', out, imageId);
      expect(readFileSync(out).equals(data)).toBe(true);
    }
    const missing = await fetch(`${urls[2]}/v2/images/${imageId}/file`, { headers: { 'X-Auth-Token': glance.token } });
    expect(missing.status).toBe(503);
    const failed = glance.run(urls[2]!, 'image-download', '--file', join(tempDir('download'), 'x'), imageId);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('503');
  });

  it('updates properties and tags (image-update --property, image-tag-update)', () => {
    if (!available) return;
    const updated = glance.ok(urls[1]!, 'image-update', '--property', 'os_distro=cirros', '--min-ram', '64', imageId);
    expect(tableValue(updated, 'os_distro')).toBe('cirros');
    expect(tableValue(updated, 'min_ram')).toBe('64');
    const tagged = glance.ok(urls[0]!, 'image-tag-update', imageId, 'blue');
    expect(tagged).toContain('blue');
    const removed = glance.ok(urls[0]!, 'image-update', '--remove-property', 'os_distro', imageId);
    expect(tableValue(removed, 'os_distro')).toBeUndefined();
    expect(tableValue(removed, 'tags')).toContain('blue');
  });

  it('refuses downloads of a deactivated image with 403 until it is reactivated', async () => {
    if (!available) return;
    glance.ok(urls[0]!, 'image-deactivate', imageId);
    const refused = await waitFor('the deactivation on host B', async () => {
      const response = await fetch(`${urls[1]}/v2/images/${imageId}/file`, { headers: { 'X-Auth-Token': memberToken } });
      return response.status === 403 ? response : undefined;
    });
    expect(await refused.text()).toContain('The requested image has been deactivated. Image data download is forbidden.');
    glance.ok(urls[1]!, 'image-reactivate', imageId);
    const out = join(tempDir('download'), 'again.raw');
    await waitFor('the reactivation on host A', () => glance.run(urls[0]!, 'image-download', '--file', out, imageId).status === 0);
    expect(readFileSync(out).equals(data)).toBe(true);
  });

  it('deletes the image everywhere and its file from the shared storage', async () => {
    if (!available) return;
    glance.ok(urls[2]!, 'image-delete', imageId);
    await waitFor('the file to be gone', () => !existsSync(join(shared, imageId)));
    await waitFor('the image gone from the catalog', async () => (await controller.request('GET', `/api/v1/images/${imageId}`)).status === 404);
    const shown = glance.run(urls[0]!, 'image-show', imageId);
    expect(shown.status).toBe(1);
    expect(shown.stderr).toContain(`No image found with ID ${imageId}`);
  });
});
