import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentProcess } from './support/agent.js';
import { ControllerProcess, type ImageView } from './support/controller.js';
import { GlanceCli, glanceAvailable, tableValue } from './support/glance-cli.js';
import { freePort, tempDir, waitFor } from './support/processes.js';
import { sha512 } from './support/hashing-sink.js';


interface Endpoint {
  url: string;
  hostname: string;
  healthy: boolean;
}


describe('the Glance front door on the controller', () => {
  const available = glanceAvailable();
  // Heartbeats every 20 s: heartbeats alone find a frozen (SIGSTOP) host silent only after 50 s, and
  // the gRPC keepalive after 10 to 30 s, long enough for the front door to meet it. A killed host
  // still leaves the healthy list at once (its stream breaks).
  // One copy per image: each image stays on the host that took its upload.
  let controller: ControllerProcess;
  let agents: AgentProcess[] = [];
  const names = ['door-a', 'door-b'];
  const repositories = names.map((name) => join(tempDir(name), 'images'));
  const hostUrls = new Map<string, string>();
  let frontDoor = '';
  let glance: GlanceCli;
  let token = '';
  const data = randomBytes(3_000_000);
  const dataFile = join(tempDir('data'), 'cirros.raw');
  let imageId = '';

  const statuses = async (id: string) =>
    Object.fromEntries((await controller.request<ImageView>('GET', `/api/v1/images/${id}`)).body.hosts.map((h) => [h.hostname, h.status]));
  /** The host that has the image ok, once exactly one does. */
  const holderOf = (id: string) =>
    waitFor(`image ${id} ok on one host`, async () => {
      const ok = Object.entries(await statuses(id)).filter(([, status]) => status === 'ok');
      return ok.length === 1 ? ok[0]![0] : undefined;
    }, 20_000);
  const doorFetch = (path: string, init: RequestInit = {}, auth = true) =>
    fetch(`${frontDoor}${path}`, { ...init, redirect: 'manual', headers: { ...(auth ? { 'X-Auth-Token': token } : {}), ...(init.headers as Record<string, string>) } });
  const bothHealthy = () =>
    waitFor('both image endpoints healthy', async () => {
      const endpoints = (await controller.request<{ catalog: { endpoints: Endpoint[] }[] }>('GET', '/api/v1/endpoints')).body.catalog[0]?.endpoints ?? [];
      return endpoints.length === 2 && endpoints.every((e) => e.healthy);
    }, 60_000);
  const createWithData = (name: string): string => {
    const out = glance.ok(frontDoor, 'image-create', '--name', name, '--disk-format', 'raw', '--container-format', 'bare', '--file', dataFile);
    expect(tableValue(out, 'status')).toBe('active');
    return tableValue(out, 'id') ?? '';
  };

  beforeAll(async () => {
    if (!available) return;
    writeFileSync(dataFile, data);
    const port = await freePort();
    frontDoor = `http://127.0.0.1:${port}`;
    controller = new ControllerProcess({
      IMAGELIB_HEARTBEAT_INTERVAL_MS: '20000',
      IMAGELIB_IMAGE_COPIES: '1',
      IMAGELIB_IMAGE_API_HOST: '127.0.0.1',
      IMAGELIB_IMAGE_API_PORT: String(port),
    });
    agents = names.map((name) => new AgentProcess(name, controller));
    await controller.start();
    const joinToken = await controller.joinToken({ maxUses: 2 });
    const ids = await Promise.all(agents.map((agent) => agent.startConnected(joinToken)));
    const urls = await controller.giveImageLibraryRole(ids, repositories);
    agents.forEach((agent, i) => hostUrls.set(agent.hostname, urls[i]!));
    await bothHealthy();
    token = (await controller.request<{ token: string }>('POST', '/api/v1/image-tokens', { subject: 'front-door', project: 'demo', admin: true })).body.token;
    glance = new GlanceCli(token);
  });

  afterAll(async () => {
    if (!available) return;
    agents.forEach((agent) => agent.signal('SIGCONT'));
    await Promise.all(agents.map((agent) => agent.kill('SIGTERM')));
    await controller.kill('SIGTERM');
  });

  it('creates an image with data through the front door (glance image-create --file)', async () => {
    if (!available) return;
    imageId = createWithData('cirros');
    expect(imageId).toMatch(/^[0-9a-f-]{36}$/);
    const holder = await holderOf(imageId);
    const file = readFileSync(join(repositories[names.indexOf(holder)]!, imageId));
    expect(sha512(file)).toBe(sha512(data));
  });

  it('answers image-show and image-list as the hosts do', async () => {
    if (!available) return;
    const shown = glance.ok(frontDoor, 'image-show', imageId);
    expect(tableValue(shown, 'id')).toBe(imageId);
    expect(tableValue(shown, 'size')).toBe('3000000');
    expect(glance.ok(frontDoor, 'image-list')).toContain(imageId);
    for (const url of hostUrls.values()) {
      const fromHost = await fetch(`${url}/v2/images/${imageId}`, { headers: { 'X-Auth-Token': token } });
      const fromDoor = await doorFetch(`/v2/images/${imageId}`);
      expect(fromDoor.status).toBe(200);
      expect(await fromDoor.text()).toBe(await fromHost.text());
      const listFromHost = await fetch(`${url}/v2/images?sort_key=name&sort_dir=asc`, { headers: { 'X-Auth-Token': token } });
      expect(await (await doorFetch('/v2/images?sort_key=name&sort_dir=asc')).text()).toBe(await listFromHost.text());
    }
  });

  it('redirects downloads to the host that has the image, where the client checks the hash (glance image-download)', async () => {
    if (!available) return;
    const holder = await holderOf(imageId);
    expect(Object.values(await statuses(imageId))).toContain('missing');
    for (let i = 0; i < 10; i++) {
      const answer = await doorFetch(`/v2/images/${imageId}/file`);
      expect(answer.status).toBe(307);
      expect(answer.headers.get('location')).toBe(`${hostUrls.get(holder)}/v2/images/${imageId}/file`);
    }
    const out = join(tempDir('download'), 'out.raw');
    glance.ok(frontDoor, 'image-download', '--file', out, imageId);
    expect(readFileSync(out).equals(data)).toBe(true);
  });

  it('refuses bad input as Glance does', async () => {
    if (!available) return;
    const notUuid = await doorFetch('/v2/images/not-a-uuid');
    expect(notUuid.status).toBe(404);
    expect(await notUuid.text()).toContain('No image found with ID not-a-uuid');
    const badJson = await doorFetch('/v2/images', { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"name": ' });
    expect(badJson.status).toBe(400);
    expect(await badJson.text()).toContain('Malformed JSON in request body.');
    const noToken = await doorFetch('/v2/images', {}, false);
    expect(noToken.status).toBe(401);
    const badToken = await doorFetch('/v2/images', { headers: { 'X-Auth-Token': `${token}x` } });
    expect(badToken.status).toBe(401);
    expect(await badToken.text()).toContain('Authentication failed: bad token signature.');
    const failed = glance.run(frontDoor, 'image-show', '00000000-0000-4000-8000-000000000000');
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('HTTP 404 Not Found: No image found with ID 00000000-0000-4000-8000-000000000000');
  });

  it('sends an upload to the other host when the first one chosen does not take it (frozen with SIGSTOP)', async () => {
    if (!available) return;
    const frozen = agents[0]!;
    const log = () => readFileSync(controller.logFile, 'utf8');
    const retried = () => log().includes(`host ${frozen.hostname} did not take the upload (no answer within 5000 ms); trying another host`);
    try {
      // The front door picks at random: upload until it picked the frozen host first (bounded).
      // The host is frozen afresh for each upload: frozen for long, the controller's keepalive
      // (a ping unanswered for 10 s) would drop it from the healthy list and it would not be picked.
      const created: string[] = [];
      for (let i = 0; i < 12 && !retried(); i++) {
        await bothHealthy();
        frozen.signal('SIGSTOP');
        const id = createWithData(`while-frozen-${i}`);
        created.push(id);
        await waitFor('the controller to log the upload', () => log().includes(`image ${id}: upload relayed to host door-b, which answered 204 after 3000000 bytes`));
        frozen.signal('SIGCONT');
      }
      expect(retried()).toBe(true);
      for (const id of created) expect(await holderOf(id)).toBe('door-b');
    } finally {
      frozen.signal('SIGCONT');
    }
  });

  it('uploads to the surviving host when one is killed -9, and answers 503 for data only the dead one had', async () => {
    if (!available) return;
    const holder = await holderOf(imageId);
    const victim = agents.find((agent) => agent.hostname === holder)!;
    const survivor = agents.find((agent) => agent !== victim)!;
    await victim.kill('SIGKILL');
    const id = createWithData('after-kill');
    expect(await holderOf(id)).toBe(survivor.hostname);
    const download = await doorFetch(`/v2/images/${imageId}/file`);
    expect(download.status).toBe(503);
    expect(await download.text()).toContain(`No image-library host can serve the data of image ${imageId} now; try again later.`);
    const failed = glance.run(frontDoor, 'image-download', '--file', join(tempDir('download'), 'none.raw'), imageId);
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('503');
  });

  it('deletes images (glance image-delete)', async () => {
    if (!available) return;
    glance.ok(frontDoor, 'image-delete', imageId);
    const shown = glance.run(frontDoor, 'image-show', imageId);
    expect(shown.status).toBe(1);
    expect(shown.stderr).toContain(`No image found with ID ${imageId}`);
    rmSync(dataFile);
  });
});
