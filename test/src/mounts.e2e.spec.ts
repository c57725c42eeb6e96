import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { AgentProcess } from './support/agent.js';
import { ControllerProcess } from './support/controller.js';
import { rootAvailable, sleep, tempDir, waitFor } from './support/processes.js';

describe('mount consistency', () => {
  const ready = rootAvailable('mounting a share (tmpfs) for the repository');
  const controller = new ControllerProcess();
  const agents = ['share-a', 'odd-b'].map((name) => new AgentProcess(name, controller, ['--image-api-auth', 'none']));
  const base = tempDir('mounts');
  const share = join(base, 'share');
  const repository = join(share, 'images');
  const elsewhere = join(tempDir('elsewhere'), 'images');
  let ids: string[] = [];
  let urls: string[] = [];
  const mount = () => execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=16m', 'tmpfs', share]);
  // The agents touch the share every few seconds (the storage probe, the mount check): an unmount
  // that meets one of those opens is refused as busy, as an operator's would be; it is tried again.
  const unmount = async () => {
    for (let attempt = 1; ; attempt++) {
      try {
        execFileSync('umount', [share], { stdio: 'pipe' });
        return;
      } catch (error) {
        if (attempt >= 50 || !String((error as { stderr?: Buffer }).stderr).includes('target is busy')) throw error;
        await sleep(100);
      }
    }
  };

  beforeAll(async () => {
    if (!ready) return;
    mkdirSync(share);
    mount();
    await controller.start();
    const token = await controller.joinToken({ maxUses: 2 });
    ids = await Promise.all(agents.map((agent) => agent.startConnected(token)));
    urls = await controller.giveImageLibraryRole([ids[0]!], [repository]);
    const assigned = await controller.request('PUT', `/api/v1/hosts/${ids[0]}/roles/image-library`, { repositoryPath: repository, port: Number(new URL(urls[0]!).port), requireMount: true });
    expect(assigned.status).toBe(200);
    urls.push(...(await controller.giveImageLibraryRole([ids[1]!], [elsewhere])));
  });

  afterAll(async () => {
    if (!ready) return;
    await Promise.all(agents.map((agent) => agent.kill('SIGTERM')));
    await controller.kill('SIGTERM');
    try {
      await unmount();
    } catch {
      // already unmounted by the test
    }
  });

  const conditions = async (id: string) => (await controller.host(id)).conditions;
  const endpoint = async (hostname: string) => {
    const { body } = await controller.request<{ catalog: { endpoints: { hostname: string; healthy: boolean; reason: string }[] }[] }>('GET', '/api/v1/endpoints');
    return body.catalog[0]?.endpoints.find((e) => e.hostname === hostname);
  };

  it('flags a host whose repository path differs from the others', async () => {
    if (!ready) return;
    const flagged = await waitFor('a path mismatch', async () => {
      const all = await Promise.all(ids.map((id) => conditions(id)));
      return all.flat().find((c) => c.type === 'repository-path-mismatch');
    });
    expect(flagged.reason).toMatch(/every host must use the same path/);
  });

  it('notices an unmounted share within seconds: writes refused, nothing written to the bare directory, out of the endpoints; back when remounted, without a restart', async () => {
    if (!ready) return;
    const pid = agents[0]!.child!.pid;
    await waitFor('share-a healthy', async () => (await endpoint('share-a'))?.healthy === true, 20_000);
    await unmount();
    const unusable = await waitFor('the unmounted share flagged', async () => (await conditions(ids[0]!)).find((c) => c.type === 'repository-unusable'), 15_000);
    expect(unusable).toMatchObject({ blocking: true, reason: expect.stringContaining('is not mounted') });
    expect(await endpoint('share-a')).toMatchObject({ healthy: false, reason: expect.stringContaining('is not mounted') });
    const created = await fetch(`${urls[0]}/v2/images`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x', disk_format: 'raw', container_format: 'bare' }) });
    const id = ((await created.json()) as { id: string }).id;
    await waitFor('the image on share-a', async () => (await fetch(`${urls[0]}/v2/images/${id}`)).status === 200);
    const upload = await fetch(`${urls[0]}/v2/images/${id}/file`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: Buffer.from('data') });
    expect(upload.status).toBe(503);
    expect(await upload.text()).toContain('is not mounted');
    expect(readdirSync(share)).toEqual([]);

    mount();
    await waitFor('share-a healthy again', async () => (await endpoint('share-a'))?.healthy === true, 15_000);
    expect((await conditions(ids[0]!)).find((c) => c.type === 'repository-unusable')).toBeUndefined();
    expect(agents[0]!.child!.pid).toBe(pid);
  });
});
