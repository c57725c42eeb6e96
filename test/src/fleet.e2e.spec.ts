import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { join } from 'node:path';
import { AgentProcess } from './support/agent.js';
import { ControllerProcess } from './support/controller.js';
import { freePort, tempDir, waitFor } from './support/processes.js';

const HEARTBEAT_MS = 500;

async function answers(url: string): Promise<boolean> {
  try {
    return (await fetch(url, { signal: AbortSignal.timeout(1000) })).ok;
  } catch {
    return false;
  }
}

describe('a controller and three agents on loopback', () => {
  const controller = new ControllerProcess({ IMAGELIB_HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS) });
  const agents = ['host-a', 'host-b', 'host-c'].map((name) => new AgentProcess(name, controller));
  const ids: string[] = [];
  const ports: number[] = [];
  const repositories = [tempDir('repo-a'), tempDir('repo-b')].map((dir) => join(dir, 'images'));

  beforeAll(async () => {
    await controller.start();
    const token = await controller.joinToken({ maxUses: 3 });
    ids.push(...(await Promise.all(agents.map((agent) => agent.startConnected(token)))));
    ports.push(await freePort(), await freePort());
  });

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.kill('SIGTERM')));
    await controller.kill('SIGTERM');
  });

  it('enrols every agent and shows its facts', async () => {
    const hosts = await controller.hosts();
    expect(hosts.map((h) => h.hostname)).toEqual(['host-a', 'host-b', 'host-c']);
    for (const host of hosts) {
      expect(host).toMatchObject({ connected: true, region: 'default', agentVersion: '0.1.0', roles: [] });
      expect(host.facts?.os.platform).toBe('linux');
      expect(host.facts?.cpu.cores).toBeGreaterThan(0);
      expect(host.facts?.memory.totalBytes).toBeGreaterThan(0);
      expect(host.lastHeartbeatAt).not.toBeNull();
    }
  });

  it('activates the image-library role on two hosts, whose image services then answer', async () => {
    for (const [i, id] of ids.slice(0, 2).entries()) {
      const assigned = await controller.request('PUT', `/api/v1/hosts/${id}/roles/image-library`, { repositoryPath: repositories[i], port: ports[i] });
      expect(assigned).toMatchObject({ status: 200, body: { role: 'image-library', state: 'pending', generation: 1 } });
    }
    for (const [i, id] of ids.slice(0, 2).entries()) {
      const host = await waitFor('the role to become active and the repository facts to arrive', async () => {
        const view = await controller.host(id as string);
        return view.roles[0]?.state === 'active' && view.repositories.length > 0 ? view : undefined;
      });
      expect(host.roles[0]).toMatchObject({ url: `http://127.0.0.1:${ports[i]}`, reason: '', repositoryPath: repositories[i] });
      expect(host.repositories[0]).toMatchObject({ path: repositories[i], exists: true, writable: true });
      expect(host.repositories[0]?.mountPoint).toMatch(/^\//);
      const versions = (await (await fetch(`http://127.0.0.1:${ports[i]}/versions`)).json()) as { versions: { id: string; status: string }[] };
      expect(versions.versions[0]).toMatchObject({ id: 'v2.16', status: 'CURRENT' });
      expect(await answers(`http://127.0.0.1:${ports[i]}/healthz`)).toBe(true);
    }
    expect((await controller.host(ids[2] as string)).roles).toEqual([]);
  });

  it('lists both image services as healthy endpoints of the image-cluster service', async () => {
    const { body } = await controller.request<{ catalog: { type: string; name: string; endpoints: { hostname: string; url: string; healthy: boolean; reason: string }[] }[] }>('GET', '/api/v1/endpoints');
    expect(body.catalog).toEqual([
      {
        type: 'image',
        name: 'image-cluster',
        endpoints: [
          expect.objectContaining({ hostname: 'host-a', url: `http://127.0.0.1:${ports[0]}`, healthy: true, reason: '' }),
          expect.objectContaining({ hostname: 'host-b', url: `http://127.0.0.1:${ports[1]}`, healthy: true, reason: '' }),
        ],
      },
    ]);
  });

  it('stops the image service when the role is removed', async () => {
    const removed = await controller.request('DELETE', `/api/v1/hosts/${ids[1]}/roles/image-library`);
    expect(removed).toMatchObject({ status: 202, body: { state: 'removing' } });
    await waitFor('the role to disappear', async () => (await controller.host(ids[1] as string)).roles.length === 0);
    expect(await answers(`http://127.0.0.1:${ports[1]}/healthz`)).toBe(false);
    expect(await answers(`http://127.0.0.1:${ports[0]}/healthz`)).toBe(true);
  });

  it('marks a killed agent disconnected within 1 s, and it comes back when restarted', async () => {
    const agent = agents[2] as AgentProcess;
    await agent.kill('SIGKILL');
    const killedAt = Date.now();
    await waitFor('host-c to be disconnected', async () => !(await controller.host(ids[2] as string)).connected, 1000, 10);
    expect(Date.now() - killedAt).toBeLessThanOrEqual(1000);
    await agent.startConnected();
  });

  it('marks a frozen agent disconnected within 3 heartbeat intervals and back after SIGCONT', async () => {
    const agent = agents[1] as AgentProcess;
    agent.signal('SIGSTOP');
    const stoppedAt = Date.now();
    await waitFor('host-b to be disconnected', async () => !(await controller.host(ids[1] as string)).connected, 3 * HEARTBEAT_MS + 250, 10);
    expect(Date.now() - stoppedAt).toBeLessThanOrEqual(3 * HEARTBEAT_MS + 250);
    agent.signal('SIGCONT');
    await waitFor('host-b to reconnect', async () => (await controller.host(ids[1] as string)).connected);
  });

  it('survives a controller kill -9: agents reconnect on their own and every host and role is intact', async () => {
    const before = await controller.hosts();
    await controller.kill('SIGKILL');
    await controller.start();
    await waitFor('all agents to reconnect', async () => (await controller.hosts()).every((h) => h.connected), 20_000);
    const after = await controller.hosts();
    const shape = (hosts: typeof before) => hosts.map((h) => ({ id: h.id, hostname: h.hostname, roles: h.roles.map((r) => ({ ...r, updatedAt: undefined })) }));
    expect(shape(after)).toEqual(shape(before));
    expect(after[0]?.roles[0]).toMatchObject({ state: 'active' });
    expect(await answers(`http://127.0.0.1:${ports[0]}/healthz`)).toBe(true);
  });

  it('shuts an agent down cleanly on SIGTERM: the image service stops and the agent exits 0', async () => {
    const agent = agents[0] as AgentProcess;
    expect(await agent.kill('SIGTERM')).toBe(0);
    expect(await answers(`http://127.0.0.1:${ports[0]}/healthz`)).toBe(false);
    await waitFor('host-a to be disconnected', async () => !(await controller.host(ids[0] as string)).connected);
    expect(agent.log()).toContain('image service stopped');
    const { body } = await controller.request<{ catalog: { endpoints: { hostname: string; healthy: boolean; reason: string }[] }[] }>('GET', '/api/v1/endpoints');
    expect(body.catalog[0]?.endpoints).toEqual([expect.objectContaining({ hostname: 'host-a', healthy: false, reason: 'host disconnected' })]);
  });
});
