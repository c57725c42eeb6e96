import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentProcess } from './support/agent.js';
import { ControllerProcess, type ImageView } from './support/controller.js';
import { between, sleep, tempDir, waitFor } from './support/processes.js';
import { sha512 } from './support/hashing-sink.js';

/** kill -9 of an image host's agent, at random moments, this many times (IMAGELIB_FAULT_AGENT_KILLS for a longer soak). */
const KILLS = Number(process.env.IMAGELIB_FAULT_AGENT_KILLS ?? 12);
const IMAGE_BYTES = 512 * 1024;
const HEARTBEAT_MS = 500;



describe(`image hosts killed -9 ${KILLS} times during uploads, discovery of dropped files and replication`, () => {
  const controller = new ControllerProcess({ IMAGELIB_HEARTBEAT_INTERVAL_MS: String(HEARTBEAT_MS) });
  const agents = ['crash-a', 'crash-b'].map((name) => new AgentProcess(name, controller)) as [AgentProcess, AgentProcess];
  const repositories = [join(tempDir('crash-a'), 'images'), join(tempDir('crash-b'), 'images')];
  const staging = tempDir('crash-staging');
  /** Uploads answered 204, by image id; files renamed into A's repository, by file name. */
  const uploaded = new Map<string, string>();
  const dropped = new Map<string, string>();
  const refused: Record<string, number> = {};
  let urls: string[] = [];
  let imageToken = '';

  const refusal = (what: string) => (refused[what] = (refused[what] ?? 0) + 1);

  beforeAll(async () => {
    await controller.start();
    const joinToken = await controller.joinToken({ maxUses: 2 });
    const ids = await Promise.all(agents.map((agent) => agent.startConnected(joinToken)));
    urls = await controller.giveImageLibraryRole(ids, repositories);
    imageToken = (await controller.request<{ token: string }>('POST', '/api/v1/image-tokens', { subject: 'crashes', project: 'demo', admin: true, ttlSeconds: 3600 })).body.token;
  });

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.kill('SIGTERM')));
    await controller.kill('SIGTERM');
  });

  /** Uploads to either host, whichever is up; acknowledged when the data PUT answers 204. */
  const uploader = async (until: () => boolean) => {
    for (let n = 0; !until(); n++) {
      const url = urls[n % 2]!;
      try {
        const created = await fetch(`${url}/v2/images`, {
          method: 'POST',
          headers: { 'X-Auth-Token': imageToken, 'content-type': 'application/json' },
          body: JSON.stringify({ name: `crash-upload-${n}`, disk_format: 'raw', container_format: 'bare' }),
          signal: AbortSignal.timeout(10_000),
        });
        if (created.status !== 201) {
          refusal(`create ${created.status}`);
          await created.body?.cancel();
          await sleep(100);
          continue;
        }
        const { id } = (await created.json()) as { id: string };
        const data = randomBytes(IMAGE_BYTES);
        const put = await fetch(`${url}/v2/images/${id}/file`, { method: 'PUT', headers: { 'X-Auth-Token': imageToken, 'content-type': 'application/octet-stream' }, body: data, signal: AbortSignal.timeout(10_000) });
        await put.body?.cancel();
        if (put.status === 204) uploaded.set(id, sha512(data));
        else refusal(`upload ${put.status}`);
      } catch (error) {
        refusal(`upload ${(error as Error).name}`);
        await sleep(100);
      }
    }
  };

  /** Drops files into A's repository as an operator would (written beside it, then renamed in). */
  const dropper = async (until: () => boolean) => {
    for (let n = 0; !until(); n++) {
      const data = randomBytes(IMAGE_BYTES);
      const name = `dropped-${n}.raw`;
      writeFileSync(join(staging, name), data);
      renameSync(join(staging, name), join(repositories[0]!, name));
      dropped.set(name, sha512(data));
      await sleep(between(100, 400));
    }
  };

  it('catalogues every acknowledged upload and dropped file, copies each to both hosts, and leaves no temporary file', async () => {
    let killing = true;
    let kills = 0;
    const killer = async () => {
      try {
        for (let i = 0; i < KILLS; i++) {
          const agent = agents[i % 2]!;
          await waitFor(`${agent.hostname} connected`, async () => (await controller.host(agent.hostId)).connected, 30_000, 50);
          await sleep(between(100, 1_500));
          await agent.kill('SIGKILL');
          kills++;
          await agent.startConnected();
        }
      } finally {
        killing = false;
      }
    };
    const stopped = () => !killing;
    await Promise.all([killer(), uploader(stopped), dropper(stopped)]);
    console.log(`${kills} agent kills; acknowledged ${uploaded.size} uploads, dropped ${dropped.size} files; refused or failed while a host was down: ${JSON.stringify(refused)}`);
    expect(kills).toBe(KILLS);
    expect(uploaded.size).toBeGreaterThan(0);

    await waitFor(
      'every acknowledged upload and dropped file active, with its hash, ok on both hosts',
      async () => {
        const images = (await controller.request<ImageView[]>('GET', '/api/v1/images')).body;
        const byId = new Map(images.map((image) => [image.id, image]));
        const byFile = new Map(images.filter((image) => image.status === 'active').map((image) => [image.fileName, image]));
        const good = (image: ImageView | undefined, hash: string) => image?.status === 'active' && image.osHashValue === hash && image.hosts.filter((h) => h.status === 'ok').length === 2;
        const behind = [...[...uploaded].filter(([id, hash]) => !good(byId.get(id), hash)).map(([id]) => id), ...[...dropped].filter(([name, hash]) => !good(byFile.get(name), hash)).map(([name]) => name)];
        if (behind.length === 0) return true;
        throw new Error(`${behind.length} behind, e.g. ${behind[0]}: ${JSON.stringify(byId.get(behind[0]!) ?? byFile.get(behind[0]!) ?? 'not listed')}`);
      },
      120_000,
      500,
    );

    // No active image that a host calls ok without its whole, correctly hashed file there.
    const images = (await controller.request<ImageView[]>('GET', '/api/v1/images')).body;
    for (const image of images.filter((i) => i.status === 'active')) {
      for (const [index, agent] of agents.entries()) {
        if (image.hosts.find((h) => h.hostname === agent.hostname)?.status !== 'ok') continue;
        expect(sha512(readFileSync(join(repositories[index]!, image.fileName!)))).toBe(image.osHashValue);
      }
    }
    // Uploads cut short by a kill leave no temporary file once the agents cleaned up after their restart.
    const temporary = () => repositories.flatMap((repository) => readdirSync(repository).filter((name) => name.startsWith('.upload-') || name.startsWith('.replica-')));
    await waitFor('no temporary files in the repositories', () => temporary().length === 0 || undefined, 30_000, 250).catch((error: Error) => {
      throw new Error(`${error.message}: ${temporary().join(', ')}`);
    });
  }, 20 * 60_000);
});
