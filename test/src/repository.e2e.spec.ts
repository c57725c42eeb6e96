import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, readFileSync, renameSync, symlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { AgentProcess } from './support/agent.js';
import { ControllerProcess, type ImageView } from './support/controller.js';
import { commandAvailable, freePort, rootAvailable, tempDir, waitFor } from './support/processes.js';


const NOBODY = { uid: 65534, gid: 65534 };

describe('a repository watched by an unprivileged agent', () => {
  const ready = rootAvailable('running the agent as an unprivileged user') && commandAvailable('qemu-img', 'qemu-utils') && commandAvailable('xorriso', 'xorriso');
  const controller = new ControllerProcess();
  const agent = new AgentProcess('watcher', controller, ['--image-api-auth', 'none'], NOBODY);
  const staging = tempDir('staging');
  let repository = '';
  let url = '';
  let hostId = '';

  beforeAll(async () => {
    if (!ready) return;
    const parent = tempDir('repository');
    chownSync(parent, NOBODY.uid, NOBODY.gid);
    repository = join(parent, 'images');
    await controller.start();
    hostId = await agent.startConnected(await controller.joinToken());
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    await controller.request('PUT', `/api/v1/hosts/${hostId}/roles/image-library`, { repositoryPath: repository, port });
    await waitFor('the role', async () => (await controller.host(hostId)).roles[0]?.state === 'active');
  });

  afterAll(async () => {
    if (!ready) return;
    await agent.kill('SIGTERM');
    await controller.kill('SIGTERM');
  });

  const images = async () => (await controller.request<ImageView[]>('GET', '/api/v1/images')).body;
  const byName = async (name: string) => waitFor(`${name} to be catalogued`, async () => (await images()).find((image) => image.name === name), 20_000);
  const statusOf = async (name: string) => (await byName(name)).hosts.find((h) => h.hostname === 'watcher');
  const sha512 = (path: string) => execFileSync('sha512sum', [path]).toString().split(' ')[0];
  const drop = (name: string, make: (path: string) => void) => {
    const path = join(staging, name);
    make(path);
    renameSync(path, join(repository, name));
    return join(repository, name);
  };

  it('catalogues dropped qcow2, raw and ISO files with their format, sizes and sha512sum', async () => {
    if (!ready) return;
    const qcow2 = drop('cirros.qcow2', (path) => execFileSync('qemu-img', ['create', '-q', '-f', 'qcow2', path, '64M']));
    const raw = drop('disk.raw', (path) => writeFileSync(path, randomBytes(5 * 1024 * 1024)));
    const iso = drop('install.iso', (path) => {
      const content = join(staging, 'iso-content');
      mkdirSync(content);
      writeFileSync(join(content, 'README'), 'hello');
      execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-V', 'TEST', '-o', path, content], { stdio: 'ignore' });
    });
    const expectations: [string, string, string, number][] = [
      ['cirros.qcow2', qcow2, 'qcow2', 64 * 1024 * 1024],
      ['disk.raw', raw, 'raw', 5 * 1024 * 1024],
      ['install.iso', iso, 'iso', readFileSync(iso).length],
    ];
    for (const [name, path, format, virtualSize] of expectations) {
      const image = await byName(name);
      expect(image).toMatchObject({ diskFormat: format, size: readFileSync(path).length, virtualSize, osHashValue: sha512(path) });
      await waitFor(`${name} ok on the host`, async () => (await statusOf(name))?.status === 'ok');
    }
    const served = await fetch(`${url}/v2/images/${(await byName('disk.raw')).id}/file`);
    expect(Buffer.from(await served.arrayBuffer()).equals(readFileSync(raw))).toBe(true);
  });

  it('never catalogues or serves a symlink to a file outside the repository', async () => {
    if (!ready) return;
    symlinkSync('/etc/shadow', join(repository, 'shadow.img'));
    await waitFor('the refusal in the agent log', () => agent.log().includes('shadow.img') && agent.log().includes('refused'), 15_000);
    expect((await images()).map((image) => image.name)).not.toContain('shadow.img');
  });

  it('reports no-access, cannot-delete, missing and offline, and ok again once each is restored', async () => {
    if (!ready) return;
    const path = join(repository, 'disk.raw');
    const expectStatus = async (status: string, reason: RegExp) => {
      const seen = await waitFor(`disk.raw to be ${status}`, async () => {
        const current = await statusOf('disk.raw');
        return current?.status === status ? current : undefined;
      }, 30_000);
      expect(seen.reason).toMatch(reason);
    };

    chmodSync(path, 0o000);
    await expectStatus('no-access', /EACCES/);
    chmodSync(path, 0o644);
    await expectStatus('ok', /^$/);

    chmodSync(repository, 0o555);
    await expectStatus('cannot-delete', /EACCES on .*cannot remove/);
    chmodSync(repository, 0o750);
    await expectStatus('ok', /^$/);

    const kept = join(staging, 'kept.raw');
    renameSync(path, kept);
    await expectStatus('missing', /ENOENT/);
    renameSync(kept, path);
    await expectStatus('ok', /^$/);

    await agent.kill('SIGKILL');
    await expectStatus('offline', /host disconnected/);
    await agent.startConnected();
    await expectStatus('ok', /^$/);
  }, 180_000);

  it('shows the operator a host that cannot delete a deleted image\'s file, until it can', async () => {
    if (!ready) return;
    const iso = await byName('install.iso');
    chmodSync(repository, 0o555);
    try {
      expect((await fetch(`${url}/v2/images/${iso.id}`, { method: 'DELETE' })).status).toBe(204);
      const stuck = await waitFor('cannot-delete on the host', async () => {
        const view = (await controller.request<ImageView & { status: string }>('GET', `/api/v1/images/${iso.id}`)).body;
        return view.hosts[0]?.status === 'cannot-delete' ? view : undefined;
      });
      expect(stuck.status).toBe('deleted');
      expect(stuck.hosts[0]?.reason).toMatch(/EACCES/);
    } finally {
      chmodSync(repository, 0o750);
    }
    await waitFor('the file removed and the image gone', async () => (await controller.request('GET', `/api/v1/images/${iso.id}`)).status === 404, 20_000);
    expect(existsSync(join(repository, 'install.iso'))).toBe(false);
  });

  it('keeps listing and serving while the controller is down, answers 503 to writes, and converges when it is back', async () => {
    if (!ready) return;
    const raw = await byName('disk.raw');
    const queued = await fetch(`${url}/v2/images`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'waiting', disk_format: 'raw', container_format: 'bare' }) });
    const waitingId = ((await queued.json()) as { id: string }).id;
    await waitFor('the queued image on the host', async () => (await fetch(`${url}/v2/images/${waitingId}`)).status === 200);
    await controller.kill('SIGKILL');
    const listed = (await (await fetch(`${url}/v2/images`)).json()) as { images: { name: string }[] };
    expect(listed.images.map((image) => image.name).sort()).toEqual(['cirros.qcow2', 'disk.raw', 'waiting']);
    const upload = await fetch(`${url}/v2/images/${waitingId}/file`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from('data') });
    expect(upload.status).toBe(503);
    expect((await fetch(`${url}/v2/images/${raw.id}/file`)).status).toBe(200);
    const create = await fetch(`${url}/v2/images`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'later', disk_format: 'raw', container_format: 'bare' }) });
    expect(create.status).toBe(503);
    expect(await create.text()).toContain('The image catalog is unreachable');

    await controller.start();
    await waitFor('the agent back', async () => (await controller.host(hostId)).connected, 20_000);
    const created = await fetch(`${url}/v2/images`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'later', disk_format: 'raw', container_format: 'bare' }) });
    expect(created.status).toBe(201);
    await waitFor('the new image on the host', async () => ((await (await fetch(`${url}/v2/images`)).json()) as { images: { name: string }[] }).images.some((i) => i.name === 'later'));
  });

  it('refuses to drain the only holder of images unless forced, naming them; a forced drain leaves the endpoints at once', async () => {
    if (!ready) return;
    const refused = await controller.request<{ message: string }>('POST', `/api/v1/hosts/${hostId}/roles/image-library/drain`, {});
    expect(refused.status).toBe(409);
    expect(refused.body.message).toMatch(/host watcher holds the only good copy of \d+ image\(s\): .*cirros\.qcow2/);
    const drained = await controller.request<{ state: string }>('POST', `/api/v1/hosts/${hostId}/roles/image-library/drain`, { force: true });
    expect(drained).toMatchObject({ status: 202, body: { state: 'removing' } });
    const { body } = await controller.request<{ catalog: { endpoints: { hostname: string; healthy: boolean }[] }[] }>('GET', '/api/v1/endpoints');
    expect(body.catalog[0]?.endpoints ?? []).not.toContainEqual(expect.objectContaining({ hostname: 'watcher', healthy: true }));
    // A drain lets requests in flight finish for up to 10 s before the service stops.
    await waitFor('the role gone and the service stopped', async () => (await controller.host(hostId)).roles.length === 0, 30_000);
    await expect(fetch(`${url}/healthz`)).rejects.toThrow();
  });
});
