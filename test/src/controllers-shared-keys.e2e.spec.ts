import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { postgresForTests, type PostgresServer, startPostgres } from '@imagelib/testbed';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentProcess } from './support/agent.js';
import { ControllerProcess, type HostView, type JoinToken } from './support/controller.js';
import { tempDir, waitFor } from './support/processes.js';

/** initdb and the first checkpoint on a loaded machine. */
const POSTGRES_START_MS = 120_000;

describe('controllers on one PostgreSQL with different data directories share the CA and the image-token key', () => {
  const binaries = postgresForTests('controllers sharing key material through PostgreSQL');
  if (!binaries) {
    it('did not run: PostgreSQL is missing (warned above)', () => undefined);
    return;
  }
  let server: PostgresServer;
  let controllers: ControllerProcess[] = [];
  let agent: AgentProcess | null = null;
  /** The controller that created the first admin token (its data directory has the admin-token file), and the other. */
  let first: ControllerProcess;
  let second: ControllerProcess;
  let adminToken = '';

  const joinToken = async (controller: ControllerProcess) => {
    const created = await controller.request<JoinToken>('POST', '/api/v1/join-tokens', {}, adminToken);
    expect(created.status).toBe(201);
    return created.body;
  };
  const host = async (controller: ControllerProcess, id: string) => (await controller.request<HostView>('GET', `/api/v1/hosts/${id}`, undefined, adminToken)).body;
  const imageToken = async (controller: ControllerProcess) => {
    const issued = await controller.request<{ token: string }>('POST', '/api/v1/image-tokens', { subject: 'shared-keys', project: 'p1' }, adminToken);
    expect(issued.status).toBe(201);
    return issued.body.token;
  };
  /** Whether the controller's own log shows the host's stream opened on it (its host view may show another controller's session). */
  const streamedTo = (controller: ControllerProcess, hostId: string) => readFileSync(controller.logFile, 'utf8').includes(`host ${hostId} connected from`);
  const listImages = async (url: string, token?: string) => (await fetch(`${url}/v2/images`, { headers: token ? { 'X-Auth-Token': token } : {} })).status;

  beforeAll(async () => {
    server = await startPostgres({ binaries });
    const env = { IMAGELIB_DATABASE_URL: await server.createDatabase('shared_keys') };
    controllers = [new ControllerProcess(env, tempDir('controller-a')), new ControllerProcess(env, tempDir('controller-b'))];
  }, POSTGRES_START_MS);

  afterAll(async () => {
    await agent?.kill('SIGTERM');
    for (const controller of controllers) await controller.kill('SIGTERM');
    await server?.stop();
  });

  it('start together on an empty database with one CA and one admin token, and an agent moves between them', async () => {
    // Both at once: each finds no key material and offers its own; both must end up with the same.
    await Promise.all(controllers.map((controller) => controller.start()));
    const withAdminToken = controllers.filter((controller) => existsSync(join(controller.dataDir, 'admin-token')));
    expect(withAdminToken).toHaveLength(1);
    first = withAdminToken[0]!;
    second = controllers.find((controller) => controller !== first)!;
    adminToken = first.adminToken;
    const tokens = (await first.request<{ id: string; scope: string }[]>('GET', '/api/v1/operator-tokens', undefined, adminToken)).body;
    expect(tokens.map((token) => token.scope)).toEqual(['admin']);
    const [hashOfFirst, hashOfSecond] = [(await joinToken(first)).caCertHash, (await joinToken(second)).caCertHash];
    expect(hashOfSecond).toBe(hashOfFirst);
    for (const controller of controllers) {
      expect(['ca.crt', 'ca.key', 'image-token.key'].filter((file) => existsSync(join(controller.dataDir, file)))).toEqual([]);
    }

    // Enrolled through the first while the second is stopped; the second restarts on what the database keeps.
    await second.kill('SIGTERM');
    agent = new AgentProcess('shared-keys', first, ['--controller', `${second.grpcAddress},${first.grpcAddress}`]);
    const hostId = await agent.startConnected(await joinToken(first));
    const [url] = await first.giveImageLibraryRole([hostId], [`${tempDir('shared-keys')}/images`]);
    await second.start();

    // The agent, on the first controller, verifies image tokens with the key the first sent it.
    const fromSecond = await imageToken(second);
    expect({ onFirst: streamedTo(first, hostId), onSecond: streamedTo(second, hostId) }).toEqual({ onFirst: true, onSecond: false });
    expect({ none: await listImages(url!), fromSecond: await listImages(url!, fromSecond) }).toEqual({ none: 401, fromSecond: 200 });

    // kill -9 the first: the agent, which pinned the CA through it, connects to the second.
    const fromFirst = await imageToken(first);
    await first.kill('SIGKILL');
    await waitFor('the host connected to the second controller', () => streamedTo(second, hostId), 20_000, 50);
    await waitFor('the second controller showing the host connected', async () => (await host(second, hostId)).connected);
    expect({ fromFirst: await listImages(url!, fromFirst), fromSecond: await listImages(url!, await imageToken(second)) }).toEqual({ fromFirst: 200, fromSecond: 200 });
  });
});
