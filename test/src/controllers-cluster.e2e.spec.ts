import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { postgresForTests, type PostgresServer, startPostgres } from '@imagelib/testbed';
import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentProcess } from './support/agent.js';
import { ControllerProcess, type HostView, type ImageView } from './support/controller.js';
import { launchChromium, logIn, matrix } from './support/dashboard-page.js';
import { tempDir, waitFor } from './support/processes.js';

const IMAGE_BYTES = 24 * 1024 * 1024;
/** Copies take seconds, so that the lease holder dies while they are under way. */
const REPLICATION_BYTES_PER_SECOND = 6 * 1024 * 1024;

const binaries = postgresForTests('several controllers on one PostgreSQL');

/** A Prometheus sample's value from a /metrics text, 0 when absent. */
function sample(metrics: string, name: string): number {
  const line = metrics.split('\n').find((l) => l.startsWith(`${name} `));
  return line ? Number(line.slice(name.length + 1)) : 0;
}

describe('three controllers on one PostgreSQL share the work and the view', () => {
  if (!binaries) {
    it('did not run: PostgreSQL is missing (warned above)', () => undefined);
    return;
  }
  let postgres: PostgresServer;
  // Key material is shared through the database (controllers-shared-keys.e2e); one data directory here
  // only lets every ControllerProcess read the admin-token file the first one wrote.
  const dataDir = tempDir('cluster');
  const controllers: ControllerProcess[] = [];
  const names = ['c-host-a', 'c-host-b', 'c-host-c'];
  const repositories = names.map((name) => join(tempDir(name), 'images'));
  let agents: AgentProcess[] = [];
  let urls: string[] = [];
  const data = randomBytes(IMAGE_BYTES);
  const sha512 = createHash('sha512').update(data).digest('hex');
  let imageId = '';

  const alive = () => controllers.filter((c) => c.child !== null);
  const metricsOf = async (controller: ControllerProcess) => (await fetch(`http://127.0.0.1:${controller.httpPort}/metrics`)).text();
  const leaseHolders = async () => {
    const held = await Promise.all(alive().map(async (c) => sample(await metricsOf(c), 'imagelib_work_lease_held')));
    return alive().filter((_, i) => held[i] === 1);
  };
  const streamsOn = async (controller: ControllerProcess) => sample(await metricsOf(controller), 'imagelib_agent_streams');
  const statusesThrough = async (controller: ControllerProcess) => {
    const view = (await controller.request<ImageView>('GET', `/api/v1/images/${imageId}`)).body;
    return Object.fromEntries(view.hosts.map((h) => [h.hostname, h.status]));
  };
  const everywhereOk = (through: ControllerProcess) =>
    waitFor(`the image ok on every host through ${through.logFile}`, async () => {
      const statuses = await statusesThrough(through);
      return Object.keys(statuses).length === 3 && Object.values(statuses).every((s) => s === 'ok');
    }, 60_000, 100);
  const agentMetrics = async (i: number) => (await fetch(`${urls[i]}/metrics`)).text();

  beforeAll(async () => {
    postgres = await startPostgres({ binaries: binaries! });
    const url = await postgres.createDatabase('cluster');
    for (const name of ['c1', 'c2', 'c3']) controllers.push(new ControllerProcess({ IMAGELIB_DATABASE_URL: url }, dataDir, name));
    await controllers[0]!.start();
    await Promise.all(controllers.slice(1).map((c) => c.start()));
    const token = await controllers[0]!.joinToken({ maxUses: 3 });
    // Each agent knows all three controllers and takes them in an order of its own: the fleet spreads.
    const all = controllers.map((c) => c.grpcAddress).join(',');
    agents = names.map((name) => new AgentProcess(name, controllers[0]!, ['--image-api-auth', 'none', '--controller', all, '--replication-bandwidth', String(REPLICATION_BYTES_PER_SECOND)]));
    const ids = await Promise.all(agents.map((agent) => agent.startConnected(token)));
    // The first controller took the work lease (it started alone); it is killed first, so one of its
    // agents at least must move: agents start again (bounded) until one picked it.
    for (let tries = 0; (await streamsOn(controllers[0]!)) === 0; tries++) {
      if (tries === 10) throw new Error('no agent picked the first controller in 10 starts');
      const agent = agents[tries % 3]!;
      await agent.kill('SIGTERM');
      await agent.startConnected();
    }
    // Roles given through one controller reach the agents connected to the others.
    urls = await controllers[0]!.giveImageLibraryRole(ids, repositories);
  }, 180_000);

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.kill('SIGTERM')));
    await Promise.all(controllers.map((c) => c.kill('SIGTERM')));
    await postgres?.stop();
  });

  it('spreads the agents over the controllers, and every controller shows every host connected and the same endpoint list', async () => {
    const streams = await Promise.all(controllers.map(streamsOn));
    expect(streams.reduce((a, b) => a + b, 0)).toBe(3);
    expect(streams[0]).toBeGreaterThan(0);
    for (const controller of controllers) {
      const hosts = (await controller.request<HostView[]>('GET', '/api/v1/hosts')).body;
      expect(hosts.map((h) => [h.hostname, h.connected, h.roles[0]?.state]).sort()).toEqual(names.map((n) => [n, true, 'active']));
    }
    const endpoints = await Promise.all(controllers.map(async (c) => (await c.request<{ endpoints: unknown[] }[]>('GET', '/api/v1/endpoints')).body));
    expect(endpoints[1]).toEqual(endpoints[0]);
    expect(endpoints[2]).toEqual(endpoints[0]);
    expect(await leaseHolders()).toHaveLength(1);
  });

  it('tells a dashboard on one controller of a change made through another', async () => {
    const watcher = controllers[2]!;
    const ticket = (await watcher.request<{ ticket: string }>('POST', '/api/v1/events/tickets')).body.ticket;
    const abort = new AbortController();
    const stream = await fetch(`http://127.0.0.1:${watcher.httpPort}/api/v1/events?ticket=${ticket}`, { signal: abort.signal });
    const reader = stream.body!.getReader();
    let text = '';
    const readUntil = async (pattern: RegExp) => {
      const deadline = Date.now() + 10_000;
      while (!pattern.test(text) && Date.now() < deadline) {
        const chunk = await Promise.race([reader.read(), new Promise<null>((resolve) => setTimeout(() => resolve(null), deadline - Date.now()))]);
        if (!chunk || chunk.done) break;
        text += Buffer.from(chunk.value).toString('utf8');
      }
      return pattern.test(text);
    };
    expect(await readUntil(/event: hello/)).toBe(true);
    // A role change through the first controller: the third one's stream names the stale views.
    const hostA = agents[0]!.hostId;
    expect((await controllers[0]!.request('PUT', `/api/v1/hosts/${hostA}/roles/image-library`, { repositoryPath: repositories[0], port: Number(new URL(urls[0]!).port), requireMount: false })).status).toBe(200);
    expect(await readUntil(/event: change\ndata: .*"roles"/)).toBe(true);
    abort.abort();
    await waitFor('host A active again', async () => (await controllers[2]!.host(hostA)).roles[0]?.state === 'active');
  });

  it('shows live on the dashboard of one controller an image uploaded through a host connected to another', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.newPage();
      await logIn(page, `http://127.0.0.1:${controllers[2]!.httpPort}/dashboard`, controllers[2]!.adminToken);
      const created = await fetch(`${urls[0]}/v2/images`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'live', disk_format: 'raw', container_format: 'bare' }) });
      const { id } = (await created.json()) as { id: string };
      await waitFor('the image on host A', async () => (await fetch(`${urls[0]}/v2/images/${id}`)).status === 200);
      expect((await fetch(`${urls[0]}/v2/images/${id}/file`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: randomBytes(64 * 1024) })).status).toBe(204);
      // No reload: the page hears of the upload and of the copies through the third controller's event stream.
      await waitFor('the new image ok on every host in the page', async () => JSON.stringify((await matrix(page)).live) === JSON.stringify(Object.fromEntries(names.map((n) => [n, 'ok']))), 30_000, 100);
    } finally {
      await browser.close();
    }
  });

  it('makes each copy once when the lease holder is killed -9 during replication; its agents move to the others', async () => {
    const copiedBefore = await Promise.all([0, 1, 2].map(async (i) => sample(await agentMetrics(i), 'imagelib_replication_bytes_total')));
    const created = await fetch(`${urls[0]}/v2/images`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name: 'spread', disk_format: 'raw', container_format: 'bare' }) });
    imageId = ((await created.json()) as { id: string }).id;
    await waitFor('the image on host A', async () => (await fetch(`${urls[0]}/v2/images/${imageId}`)).status === 200);
    expect((await fetch(`${urls[0]}/v2/images/${imageId}/file`, { method: 'PUT', headers: { 'content-type': 'application/octet-stream' }, body: data })).status).toBe(204);
    const [holder] = await leaseHolders();
    expect(holder).toBe(controllers[0]);
    const asked = (hostname: string) => readFileSync(holder!.logFile, 'utf8').includes(`asked host ${hostname} to copy image ${imageId}`);
    await waitFor('both copies asked for', () => asked('c-host-b') && asked('c-host-c'), 20_000, 20);
    // Both copies are under way (they take seconds at the bandwidth limit).
    expect(sample(await agentMetrics(1), 'imagelib_replication_bytes_total') - copiedBefore[1]!).toBeLessThan(IMAGE_BYTES);
    await holder!.kill('SIGKILL');
    const survivors = alive();
    await waitFor('another controller holding the lease', async () => (await leaseHolders()).length === 1, 15_000, 100);
    await waitFor('every agent on a live controller', async () => (await Promise.all(survivors.map(streamsOn))).reduce((a, b) => a + b, 0) === 3, 15_000, 100);
    for (const controller of survivors) await everywhereOk(controller);
    for (const i of [1, 2]) {
      expect(createHash('sha512').update(readFileSync(join(repositories[i]!, imageId))).digest('hex')).toBe(sha512);
      // Each copy's data was fetched once: the new holder's request for a copy under way or made was not a second copy.
      expect(sample(await agentMetrics(i), 'imagelib_replication_bytes_total') - copiedBefore[i]!).toBe(IMAGE_BYTES);
    }
  });

  it('removes the file from every disk once when the new lease holder is killed -9 as the image is deleted', async () => {
    const [holder] = await leaseHolders();
    expect((await fetch(`${urls[1]}/v2/images/${imageId}`, { method: 'DELETE' })).status).toBe(204);
    await holder!.kill('SIGKILL');
    const [last] = alive();
    await waitFor('the last controller holding the lease', async () => (await leaseHolders()).length === 1, 15_000, 100);
    await waitFor('every file gone', () => repositories.every((repository) => !existsSync(join(repository, imageId))), 30_000, 100);
    await waitFor('the deletion finished', async () => (await last!.request('GET', `/api/v1/images/${imageId}`)).status === 404, 30_000, 100);
    const hosts = (await last!.request<HostView[]>('GET', '/api/v1/hosts')).body;
    expect(hosts.map((h) => h.connected)).toEqual([true, true, true]);
    expect(await streamsOn(last!)).toBe(3);
  });
});
