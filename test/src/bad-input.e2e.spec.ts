import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { AgentProcess } from './support/agent.js';
import { ControllerProcess } from './support/controller.js';
import { AGENT_MAIN, exited, freePort, startNode, tempDir, waitFor } from './support/processes.js';

describe('bad input', () => {
  const controller = new ControllerProcess();
  const agent = new AgentProcess('input-host', controller);
  let hostId = '';

  beforeAll(async () => {
    await controller.start();
    hostId = await agent.startConnected(await controller.joinToken());
  });

  afterAll(async () => {
    await agent.kill('SIGTERM');
    await controller.kill('SIGTERM');
  });

  const role = (body: unknown, raw?: string) => controller.request('PUT', `/api/v1/hosts/${hostId}/roles/image-library`, body, controller.adminToken, raw);

  it.each([
    [{ repositoryPath: 'relative/images' }, 'repositoryPath must be an absolute path without "." or ".." segments'],
    [{ repositoryPath: '/srv/../etc' }, 'repositoryPath must be an absolute path without "." or ".." segments'],
    [{ port: 0 }, 'port must not be less than 1'],
    [{ port: 70000 }, 'port must not be greater than 65535'],
    [{ port: '9292' }, 'port must be an integer number'],
    [{ bogus: true }, 'property bogus should not exist'],
  ])('refuses the role body %j with 400 naming the problem', async (body, problem) => {
    const response = await role(body);
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ statusCode: 400, error: 'INVALID_INPUT', message: expect.arrayContaining([problem]) });
  });

  it('refuses malformed JSON with 400', async () => {
    const response = await role(undefined, '{"port": 9292');
    expect(response).toMatchObject({ status: 400, body: { statusCode: 400 } });
    expect(JSON.stringify(response.body)).toMatch(/JSON/);
  });

  it('answers 404 for unknown or malformed host ids', async () => {
    for (const id of ['5f0c8a3e-0000-4000-8000-000000000000', 'not-a-uuid', '%2e%2e']) {
      const response = await controller.request('GET', `/api/v1/hosts/${id}`);
      expect(response.status).toBe(404);
      expect(response.body).toMatchObject({ error: 'NOT_FOUND' });
    }
    const put = await controller.request('PUT', '/api/v1/hosts/nope/roles/image-library', {});
    expect(put).toEqual({ status: 404, body: { statusCode: 404, error: 'NOT_FOUND', message: 'host nope not found' } });
  });

  it('refuses bad join token requests with 400', async () => {
    const response = await controller.request('POST', '/api/v1/join-tokens', { maxUses: 0, ttlSeconds: 'soon' });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ message: expect.arrayContaining(['maxUses must not be less than 1', 'ttlSeconds must be an integer number']) });
  });

  it('reports the role failed with the reason when its port is taken', async () => {
    const port = await freePort();
    const blocker: Server = createServer();
    await new Promise<void>((r) => blocker.listen(port, '127.0.0.1', r));
    try {
      expect((await role({ repositoryPath: join(tempDir('repo'), 'images'), port })).status).toBe(200);
      const host = await waitFor('the role to fail', async () => {
        const view = await controller.host(hostId);
        return view.roles[0]?.state === 'failed' ? view : undefined;
      });
      expect(host.roles[0]?.reason).toBe(`port ${port} is in use (EADDRINUSE)`);
    } finally {
      blocker.close();
    }
  });

  it('reports the role failed when the repository path cannot be a directory', async () => {
    const file = join(tempDir('repo'), 'a-file');
    writeFileSync(file, 'not a directory');
    expect((await role({ repositoryPath: join(file, 'images'), port: await freePort() })).status).toBe(200);
    const host = await waitFor('the role to fail', async () => {
      const view = await controller.host(hostId);
      return view.roles[0]?.state === 'failed' && view.roles[0].repositoryPath.startsWith(file) ? view : undefined;
    });
    expect(host.roles[0]?.reason).toBe(`cannot create the repository path ${join(file, 'images')}: ENOTDIR`);
  });

  it('refuses the role for a host in another region with 409', async () => {
    const port = await freePort();
    expect((await role({ repositoryPath: join(tempDir('repo'), 'images'), port })).status).toBe(200);
    const elsewhere = new AgentProcess('far-host', controller, ['--region', 'region-two']);
    const farId = await elsewhere.startConnected(await controller.joinToken());
    try {
      const response = await controller.request('PUT', `/api/v1/hosts/${farId}/roles/image-library`, {});
      expect(response).toEqual({
        status: 409,
        body: {
          statusCode: 409,
          error: 'CONFLICT',
          message: 'host far-host is in region region-two, but the image library of this controller is in another region: input-host (default); one image library per region',
        },
      });
    } finally {
      await elsewhere.kill('SIGTERM');
    }
  });

  it('stops an agent with a wrong configuration, naming every bad setting', async () => {
    const dir = tempDir('badconfig');
    const configFile = join(dir, 'agent.json');
    writeFileSync(configFile, JSON.stringify({ controllerAddress: 'no-port', caCertHash: 'md5:1', region: 'bad region!' }));
    const child = startNode(AGENT_MAIN, ['--config', configFile, '--state-dir', 'relative'], {}, join(dir, 'agent.log'));
    expect(await exited(child)).toBe(2);
    const { readFileSync } = await import('node:fs');
    const output = readFileSync(join(dir, 'agent.log'), 'utf8');
    for (const setting of ['controllerAddress', 'caCertHash', 'region', 'stateDir']) expect(output).toContain(setting);
  });

  it('documents the served routes in OpenAPI', async () => {
    const response = await fetch(`http://127.0.0.1:${controller.httpPort}/api/docs-json`);
    const document = (await response.json()) as { paths: Record<string, Record<string, unknown>> };
    const routes = Object.entries(document.paths).flatMap(([path, methods]) => Object.keys(methods).map((method) => `${method.toUpperCase()} ${path}`));
    expect(routes.sort()).toEqual([
      'DELETE /api/v1/hosts/{id}',
      'DELETE /api/v1/hosts/{id}/roles/image-library',
      'DELETE /api/v1/join-tokens/{id}',
      'DELETE /api/v1/operator-tokens/{id}',
      'GET /api/v1/endpoints',
      'GET /api/v1/events',
      'GET /api/v1/hosts',
      'GET /api/v1/hosts/{id}',
      'GET /api/v1/hosts/{id}/images',
      'GET /api/v1/images',
      'GET /api/v1/images/{id}',
      'GET /api/v1/join-tokens',
      'GET /api/v1/operator-tokens',
      'GET /healthz',
      'GET /metrics',
      'GET /readyz',
      'POST /api/v1/events/tickets',
      'POST /api/v1/hosts/{id}/roles/image-library/drain',
      'POST /api/v1/image-tokens',
      'POST /api/v1/join-tokens',
      'POST /api/v1/operator-tokens',
      'PUT /api/v1/hosts/{id}/roles/image-library',
    ]);
  });
});
