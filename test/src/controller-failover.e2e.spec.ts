import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { AgentProcess } from './support/agent.js';
import { ControllerProcess, type ImageView } from './support/controller.js';
import { freePort, tempDir, waitFor } from './support/processes.js';

describe('an agent given several controller addresses moves to another controller when its own fails', () => {
  // A standby controller on the same (shared) disk, on an address of its own: it starts when the first one dies.
  const primary = new ControllerProcess();
  const standby = new ControllerProcess({}, primary.dataDir, 'standby');
  const repository = `${tempDir('failover-controller')}/images`;
  let agent: AgentProcess;
  let url = '';

  const upload = async (name: string) => {
    const created = await fetch(`${url}/v2/images`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, disk_format: 'raw', container_format: 'bare' }) });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect((await fetch(`${url}/v2/images/${id}/file`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: randomBytes(64 * 1024) })).status).toBe(204);
    return id;
  };

  beforeAll(async () => {
    await primary.start();
    standby.grpcPort = await freePort();
    // The standby's address first: the agent enrols through whichever answers.
    agent = new AgentProcess('two-controllers', primary, ['--image-api-auth', 'none', '--controller', `127.0.0.1:${standby.grpcPort},${primary.grpcAddress}`]);
    const hostId = await agent.startConnected(await primary.joinToken());
    [url] = await primary.giveImageLibraryRole([hostId], [repository]);
  });

  afterAll(async () => {
    await agent.kill('SIGTERM');
    await primary.kill('SIGTERM');
    await standby.kill('SIGTERM');
  });

  it('reconnects to the standby after the first controller is killed -9, and catalog writes go through it', async () => {
    const before = await upload('before');
    await primary.kill('SIGKILL');
    await standby.start();
    const started = performance.now();
    await waitFor('the host connected to the standby', async () => (await standby.host(agent.hostId)).connected, 20_000, 50);
    console.log(`agent on the standby controller ${Math.round(performance.now() - started)} ms after it was ready`);
    const after = await upload('after');
    for (const id of [before, after]) {
      await waitFor(`image ${id} ok through the standby`, async () => {
        const view = (await standby.request<ImageView>('GET', `/api/v1/images/${id}`)).body;
        return view.status === 'active' && view.hosts[0]?.status === 'ok';
      }, 20_000, 100);
    }
  });
});
