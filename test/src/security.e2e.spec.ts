import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { status } from '@grpc/grpc-js';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentProcess } from './support/agent.js';
import { ControllerProcess } from './support/controller.js';
import { enrol, firstAnswer, gatewayClient } from './support/grpc-client.js';
import { exited, tempDir, waitFor } from './support/processes.js';

describe('who gets in', () => {
  const controller = new ControllerProcess();

  beforeAll(async () => {
    await controller.start();
  });

  afterAll(async () => {
    await controller.kill('SIGTERM');
  });

  describe('the REST API', () => {
    it('answers 401 without a token or with a wrong one, and serves health probes without one', async () => {
      expect(await controller.request('GET', '/api/v1/hosts', undefined, null)).toEqual({
        status: 401,
        body: { statusCode: 401, error: 'UNAUTHENTICATED', message: 'an operator token is required: Authorization: Bearer <token>' },
      });
      const wrong = `${controller.adminToken.slice(0, 9)}${'x'.repeat(32)}`;
      expect(await controller.request('GET', '/api/v1/hosts', undefined, wrong)).toEqual({
        status: 401,
        body: { statusCode: 401, error: 'UNAUTHENTICATED', message: 'the operator token is not valid' },
      });
      expect(await controller.request('POST', '/api/v1/join-tokens', {}, 'garbage')).toMatchObject({ status: 401 });
      expect(await controller.request('GET', '/healthz', undefined, null)).toEqual({ status: 200, body: { status: 'ok' } });
      expect(await controller.request('GET', '/readyz', undefined, null)).toEqual({ status: 200, body: { status: 'ready' } });
    });

    it('keeps the admin token in a 0600 file in the data directory', () => {
      const mode = execFileSync('stat', ['-c', '%a', join(controller.dataDir, 'admin-token')]).toString().trim();
      expect(mode).toBe('600');
      expect(controller.adminToken).toMatch(/^[a-z0-9]{8}\.[a-z0-9]{32}$/);
    });
  });

  describe('enrolment', () => {
    it('refuses a wrong, malformed, expired or used-up join token with UNAUTHENTICATED', async () => {
      const client = gatewayClient(controller.grpcAddress, controller.caPem);
      const good = await controller.joinToken({ maxUses: 1 });
      const wrongSecret = `${good.token.slice(0, 7)}${'0'.repeat(16)}`;
      await expect(enrol(client, wrongSecret, 'h1')).rejects.toMatchObject({ code: status.UNAUTHENTICATED, details: 'the join token is not valid' });
      await expect(enrol(client, 'not-a-token', 'h1')).rejects.toMatchObject({ code: status.UNAUTHENTICATED, details: 'the join token is not valid' });

      const shortLived = await controller.joinToken({ ttlSeconds: 1 });
      await new Promise((r) => setTimeout(r, 1200));
      await expect(enrol(client, shortLived.token, 'h1')).rejects.toMatchObject({ code: status.UNAUTHENTICATED, details: expect.stringContaining('expired at') });

      await enrol(client, good.token, 'h1');
      await expect(enrol(client, good.token, 'h2')).rejects.toMatchObject({ code: status.UNAUTHENTICATED, details: expect.stringContaining('is used up (1 of 1)') });
      client.close();
    });

    it('stops an agent given a bad join token with exit status 3 and a message', async () => {
      const agent = new AgentProcess('refused', controller);
      const token = await controller.joinToken();
      const child = agent.start({ ...token, token: `${token.token.slice(0, 7)}${'0'.repeat(16)}` });
      expect(await exited(child)).toBe(3);
      expect(agent.log()).toContain('enrolment refused: the join token is not valid');
    });

    it('makes the agent refuse a controller whose CA does not match the pinned hash', async () => {
      const agent = new AgentProcess('pinned', controller);
      const token = await controller.joinToken();
      const child = agent.start({ ...token, caCertHash: `sha256:${'ab'.repeat(32)}` });
      expect(await exited(child)).toBe(1);
      expect(agent.log()).toContain('refusing to trust it');
      expect((await controller.request<{ uses: number }[]>('GET', '/api/v1/join-tokens')).body.find((t) => token.token.startsWith(`${(t as unknown as { id: string }).id}.`))?.uses).toBe(0);
    });

    it('refuses a second host claiming an enrolled host name', async () => {
      const client = gatewayClient(controller.grpcAddress, controller.caPem);
      const token = await controller.joinToken({ maxUses: 2 });
      await enrol(client, token.token, 'twin');
      await expect(enrol(client, token.token, 'twin')).rejects.toMatchObject({
        code: status.PERMISSION_DENIED,
        details: expect.stringContaining('host name twin is already enrolled as host'),
      });
      client.close();
    });
  });

  describe('the agent stream', () => {
    it('answers UNAUTHENTICATED to a stream without a credential', async () => {
      const answer = await firstAnswer(gatewayClient(controller.grpcAddress, controller.caPem));
      expect(answer.error).toMatchObject({ code: status.UNAUTHENTICATED, details: 'a host credential (client certificate) is required' });
    });

    it('answers UNAUTHENTICATED to a client certificate from another CA', async () => {
      const dir = tempDir('foreign');
      execFileSync('openssl', [
        'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=intruder',
        '-addext', 'extendedKeyUsage=clientAuth', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
      ], { stdio: 'ignore' });
      const identity = { keyPem: readFileSync(join(dir, 'key.pem'), 'utf8'), certPem: readFileSync(join(dir, 'cert.pem'), 'utf8') };
      const answer = await firstAnswer(gatewayClient(controller.grpcAddress, controller.caPem, identity));
      // TLS clients only present a certificate whose issuer the server lists, so this one arrives as none at all.
      expect(answer.error).toMatchObject({ code: status.UNAUTHENTICATED, details: expect.stringMatching(/client certificate/) });
    });

    it('refuses a copied credential while its host is connected, and a revoked one after the host is removed', async () => {
      const agent = new AgentProcess('victim', controller);
      const hostId = await agent.startConnected(await controller.joinToken());
      const credential = JSON.parse(readFileSync(join(agent.stateDir, 'credential.json'), 'utf8')) as { privateKeyPem: string; certificatePem: string };
      const thief = () => gatewayClient(controller.grpcAddress, controller.caPem, { keyPem: credential.privateKeyPem, certPem: credential.certificatePem });

      const stolen = await firstAnswer(thief());
      expect(stolen.error).toMatchObject({ code: status.PERMISSION_DENIED, details: expect.stringContaining(`host ${hostId} is already connected from`) });
      expect((await controller.host(hostId)).connected).toBe(true);

      expect(await controller.request('DELETE', `/api/v1/hosts/${hostId}`)).toEqual({ status: 204, body: null });
      expect(await exited(agent.child!)).toBe(3);
      expect(agent.log()).toContain("the controller refused this host's credential");
      const revoked = await firstAnswer(thief());
      expect(revoked.error).toMatchObject({ code: status.UNAUTHENTICATED, details: 'the host credential has been revoked or is unknown' });
      await waitFor('the host to be gone', async () => (await controller.request('GET', `/api/v1/hosts/${hostId}`)).status === 404);
    });
  });
});
