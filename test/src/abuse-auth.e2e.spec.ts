import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { status } from '@grpc/grpc-js';
import { execFileSync } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentProcess } from './support/agent.js';
import { ControllerProcess } from './support/controller.js';
import { enrolledIdentity, firstAnswer, gatewayClient, gatewayMethods, streamCall, unaryCall } from './support/grpc-client.js';
import { createImageWithData } from './support/image-api.js';
import { AGENT_MAIN, exited, freePort, startNode, tempDir, waitFor } from './support/processes.js';

/**
 * The abuse suite's who-gets-in part: every REST route (from the OpenAPI document), every gRPC
 * method (from the service definition) and every image API route of a host and of the front door,
 * called with every kind of wrong credential; then what a read-only operator token and project
 * image tokens may do. security.e2e.spec.ts holds the single cases this matrix generalises
 * (enrolment refusals, a stolen credential, the pinned CA).
 */

type Identity = { keyPem: string; certPem: string };

/** Routes that answer without any credential; any other is a finding. */
const OPEN_REST = ['GET /healthz', 'GET /readyz', 'GET /metrics'];
/** Routes that take no operator token: the open ones and the event stream, which takes a ticket. */
const PUBLIC_REST = [...OPEN_REST, 'GET /api/v1/events'];
/** The one POST a read-only token may call: it changes nothing an operator owns. */
const READ_ONLY_POSTS = ['POST /api/v1/events/tickets'];
/** Every route of the Glance API ({id}: an image, {tag}: a tag). /, /versions, /healthz and /metrics are public. */
const IMAGE_API_ROUTES = [
  'GET /v2/images',
  'POST /v2/images',
  'GET /v2/images/{id}',
  'PATCH /v2/images/{id}',
  'DELETE /v2/images/{id}',
  'GET /v2/images/{id}/file',
  'PUT /v2/images/{id}/file',
  'PUT /v2/images/{id}/tags/{tag}',
  'DELETE /v2/images/{id}/tags/{tag}',
  'POST /v2/images/{id}/actions/deactivate',
  'POST /v2/images/{id}/actions/reactivate',
  'GET /v2/schemas/image',
  'GET /v2/schemas/images',
  'GET /v2/schemas/metadefs/namespace',
  'GET /v2/schemas/metadefs/resource_type',
];

/** What the matrix tried, for docs/reliability.md. */
const tried = { rest: 0, grpc: 0, imageApi: 0, eventStream: 0, readOnly: 0, visibility: 0 };

describe('abuse: authentication and authorization', () => {
  let controller: ControllerProcess;
  /** Another controller: its tokens and credentials are foreign here. */
  const foreign = new ControllerProcess();
  let agent: AgentProcess;
  let hostUrl = '';
  let frontDoorUrl = '';
  let probeImageId = '';
  /** Every secret the suite handled; none may appear in any process's log. */
  const secrets: string[] = [];
  const images: Record<string, string> = {};
  const tokens: Record<string, string> = {};
  let expiredImageToken = '';
  let expiredImageTokenAt = 0;

  beforeAll(async () => {
    const frontDoorPort = await freePort();
    frontDoorUrl = `http://127.0.0.1:${frontDoorPort}`;
    controller = new ControllerProcess({ IMAGELIB_IMAGE_API_HOST: '127.0.0.1', IMAGELIB_IMAGE_API_PORT: String(frontDoorPort) });
    await Promise.all([controller.start(), foreign.start()]);
    const expired = await controller.request<{ token: string; expiresAt: string }>('POST', '/api/v1/image-tokens', { subject: 'short-lived', project: 'p1', ttlSeconds: 1 });
    expiredImageToken = expired.body.token;
    expiredImageTokenAt = Date.parse(expired.body.expiresAt);
    agent = new AgentProcess('abuse-host', controller);
    const joinToken = await controller.joinToken();
    secrets.push(controller.adminToken, foreign.adminToken, joinToken.token, expiredImageToken);
    const hostId = await agent.startConnected(joinToken);
    [hostUrl] = (await controller.giveImageLibraryRole([hostId], [join(tempDir('repo'), 'images')])) as [string];
    for (const [name, claims] of Object.entries({
      admin: { subject: 'abuse-admin', project: 'ops', admin: true },
      owner: { subject: 'abuse-owner', project: 'p1' },
      other: { subject: 'abuse-other', project: 'p2' },
      noProject: { subject: 'abuse-nobody' },
    })) {
      tokens[name] = (await controller.request<{ token: string }>('POST', '/api/v1/image-tokens', claims)).body.token;
      secrets.push(tokens[name]!);
    }
    probeImageId = await createImageWithData(hostUrl, tokens.admin!, 'probe', Buffer.from('probe data'));
  });

  afterAll(async () => {
    await agent?.kill('SIGTERM');
    await Promise.all([controller?.kill('SIGTERM'), foreign.kill('SIGTERM')]);
    console.log(`abuse-auth figures: ${JSON.stringify({ ...tried, secretsSearched: secrets.length })}`);
  });

  const rest = async (method: string, path: string, authorization: string | null, body?: unknown) => {
    const headers: Record<string, string> = {};
    if (authorization !== null) headers.authorization = authorization;
    if (body !== undefined) headers['content-type'] = 'application/json';
    const response = await fetch(`http://127.0.0.1:${controller.httpPort}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await response.text();
    return { status: response.status, body: (response.headers.get('content-type')?.includes('json') && text ? JSON.parse(text) : text) as { error?: string; message?: string } };
  };

  async function restRoutes(): Promise<{ method: string; path: string; route: string }[]> {
    const document = (await (await fetch(`http://127.0.0.1:${controller.httpPort}/api/docs-json`)).json()) as { paths: Record<string, Record<string, unknown>> };
    return Object.entries(document.paths).flatMap(([template, methods]) =>
      Object.keys(methods).map((method) => ({ method: method.toUpperCase(), path: template.replace(/\{[^}]+\}/g, 'abuse-probe'), route: `${method.toUpperCase()} ${template}` })),
    );
  }

  async function hostIdentity(host: ControllerProcess, name: string): Promise<Identity & { hostId: string }> {
    const client = gatewayClient(host.grpcAddress, host.caPem);
    try {
      const identity = await enrolledIdentity(client, (await host.joinToken()).token, name);
      secrets.push(pemBody(identity.keyPem));
      return identity;
    } finally {
      client.close();
    }
  }

  describe('the REST API', () => {
    it('answers 401 on every route without a credential but the health probes and metrics', async () => {
      const routes = await restRoutes();
      const open: string[] = [];
      for (const { method, path, route } of routes) {
        if ((await rest(method, path, null)).status !== 401) open.push(route);
      }
      expect(open.sort()).toEqual([...OPEN_REST].sort());
    });

    it('answers 401 to a malformed, revoked or foreign operator token, to image and join tokens and to a host credential, on every route', async () => {
      const revoked = await controller.request<{ id: string; token: string }>('POST', '/api/v1/operator-tokens', { name: 'soon revoked', scope: 'admin' });
      secrets.push(revoked.body.token);
      expect((await rest('GET', '/api/v1/hosts', `Bearer ${revoked.body.token}`)).status).toBe(200);
      expect((await controller.request('DELETE', `/api/v1/operator-tokens/${revoked.body.id}`)).status).toBe(204);
      const host = await hostIdentity(controller, 'rest-prober');
      const joinToken = (await controller.joinToken()).token;
      secrets.push(joinToken);
      const kinds: Record<string, string> = {
        malformed: 'Bearer garbage',
        'wrong secret': `Bearer ${controller.adminToken.slice(0, 9)}${'x'.repeat(32)}`,
        revoked: `Bearer ${revoked.body.token}`,
        foreign: `Bearer ${foreign.adminToken}`,
        'image token': `Bearer ${tokens.admin}`,
        'join token': `Bearer ${joinToken}`,
        'host credential': `Bearer ${new X509Certificate(host.certPem).raw.toString('base64')}`,
        'admin token without Bearer': controller.adminToken,
        'Basic scheme': `Basic ${Buffer.from(`admin:${controller.adminToken}`).toString('base64')}`,
      };
      const routes = (await restRoutes()).filter(({ route }) => !PUBLIC_REST.includes(route));
      for (const { method, path, route } of routes) {
        for (const [kind, authorization] of Object.entries(kinds)) {
          const answer = await rest(method, path, authorization);
          tried.rest += 1;
          expect({ route, kind, status: answer.status, error: answer.body.error }).toEqual({ route, kind, status: 401, error: 'UNAUTHENTICATED' });
        }
      }
      expect(await controller.request('DELETE', `/api/v1/operator-tokens/${revoked.body.id}`)).toEqual({ status: 204, body: null });
      const listed = (await controller.request<{ id: string; revokedAt: string | null }[]>('GET', '/api/v1/operator-tokens')).body;
      expect(listed.find((t) => t.id === revoked.body.id)?.revokedAt).toEqual(expect.any(String));
    });

    it('opens the event stream only for a fresh ticket, never for a used, foreign or made-up one or a bearer token', async () => {
      const ticket = async (on: ControllerProcess) => (await on.request<{ ticket: string }>('POST', '/api/v1/events/tickets')).body.ticket;
      const used = await ticket(controller);
      const foreignTicket = await ticket(foreign);
      secrets.push(used, foreignTicket);
      const opened = new AbortController();
      const first = await fetch(`http://127.0.0.1:${controller.httpPort}/api/v1/events?ticket=${encodeURIComponent(used)}`, { signal: opened.signal });
      expect(first.status).toBe(200);
      opened.abort();
      for (const [kind, query, authorization] of [
        ['none', '', null],
        ['used', `?ticket=${encodeURIComponent(used)}`, null],
        ['foreign', `?ticket=${encodeURIComponent(foreignTicket)}`, null],
        ['made up', `?ticket=${'A'.repeat(43)}`, null],
        ['repeated parameter', `?ticket=a&ticket=b`, null],
        ['bearer instead of a ticket', '', `Bearer ${controller.adminToken}`],
      ] as [string, string, string | null][]) {
        const answer = await rest('GET', `/api/v1/events${query}`, authorization);
        tried.eventStream += 1;
        expect({ kind, status: answer.status, error: answer.body.error }).toEqual({ kind, status: 401, error: 'UNAUTHENTICATED' });
      }
    });

    it('serves the dashboard page and the API document without a token, with no data in them', async () => {
      const page = await fetch(`http://127.0.0.1:${controller.httpPort}/dashboard`);
      expect(page.status).toBe(200);
      const text = await page.text();
      expect(text).not.toContain('abuse-host');
      expect(text).not.toContain(controller.adminToken);
    });
  });

  describe('the agent gateway (gRPC)', () => {
    it('refuses every method without a host credential, or with an expired, revoked, self-signed or foreign one: UNAUTHENTICATED', async () => {
      const own = await hostIdentity(controller, 'grpc-revoked');
      expect((await controller.request('DELETE', `/api/v1/hosts/${own.hostId}`)).status).toBe(204);
      const expiring = await hostIdentity(controller, 'grpc-expired');
      const identities: Record<string, Identity | undefined> = {
        none: undefined,
        expired: { keyPem: expiring.keyPem, certPem: expiredCertificate(controller, expiring.keyPem) },
        revoked: own,
        'self-signed': selfSignedIdentity(),
        foreign: await hostIdentity(foreign, 'grpc-foreign'),
      };
      const methods = gatewayMethods().filter((method) => method.name !== 'Enroll');
      expect(methods.map((method) => method.name)).toEqual(expect.arrayContaining(['Connect', 'CreateImage', 'DeleteImage', 'BeginUpload', 'CompleteUpload']));
      for (const [kind, identity] of Object.entries(identities)) {
        const client = gatewayClient(controller.grpcAddress, controller.caPem, identity);
        for (const method of methods) {
          const { error } = method.streaming ? await streamCall(client, method) : await unaryCall(client, method, { id: probeImageId });
          tried.grpc += 1;
          expect({ kind, method: method.name, code: error?.code, details: error?.details }).toEqual({ kind, method: method.name, code: status.UNAUTHENTICATED, details: expect.any(String) });
        }
        client.close();
      }
    });

    it("refuses a stream with another host's credential while that host is connected: PERMISSION_DENIED", async () => {
      const credential = JSON.parse(readFileSync(join(agent.stateDir, 'credential.json'), 'utf8')) as { privateKeyPem: string; certificatePem: string };
      secrets.push(pemBody(credential.privateKeyPem));
      const client = gatewayClient(controller.grpcAddress, controller.caPem, { keyPem: credential.privateKeyPem, certPem: credential.certificatePem });
      const { error } = await firstAnswer(client);
      tried.grpc += 1;
      expect(error?.code).toBe(status.PERMISSION_DENIED);
      client.close();
    });

    it('refuses Enroll with no, a malformed, expired, revoked, used-up or foreign join token: UNAUTHENTICATED', async () => {
      const expiring = (await controller.request<{ token: string; expiresAt: string }>('POST', '/api/v1/join-tokens', { ttlSeconds: 1 })).body;
      const revoked = await controller.joinToken();
      expect((await controller.request('DELETE', `/api/v1/join-tokens/${revoked.token.split('.')[0]}`)).status).toBe(204);
      const usedUp = await controller.joinToken({ maxUses: 1 });
      await hostIdentityWith(usedUp.token);
      const foreignToken = await foreign.joinToken();
      secrets.push(expiring.token, revoked.token, usedUp.token, foreignToken.token);
      await waitFor('the join token to expire', () => Date.now() > Date.parse(expiring.expiresAt) + 50, 3_000);
      const enroll = gatewayMethods().find((method) => method.name === 'Enroll')!;
      const client = gatewayClient(controller.grpcAddress, controller.caPem);
      for (const [kind, joinToken] of Object.entries({ none: '', malformed: 'not-a-token', expired: expiring.token, revoked: revoked.token, 'used up': usedUp.token, foreign: foreignToken.token })) {
        const { error } = await unaryCall(client, enroll, { joinToken, hostname: `enrol-${kind.replace(/ /g, '-')}`, region: 'default', publicKeyPem: selfSignedIdentity().keyPem, agentVersion: 'test' });
        tried.grpc += 1;
        expect({ kind, code: error?.code }).toEqual({ kind, code: status.UNAUTHENTICATED });
      }
      client.close();

      async function hostIdentityWith(token: string): Promise<void> {
        const enrolling = gatewayClient(controller.grpcAddress, controller.caPem);
        secrets.push(pemBody((await enrolledIdentity(enrolling, token, 'used-up-host')).keyPem));
        enrolling.close();
      }
    });
  });

  describe('the image API of a host and of the front door', () => {
    it.each([
      ['host', () => hostUrl],
      ['front door', () => frontDoorUrl],
    ])('the %s answers 401 on every route without a token, or with a malformed, expired, foreign, operator or join token', async (_name, url) => {
      const foreignImageToken = (await foreign.request<{ token: string }>('POST', '/api/v1/image-tokens', { subject: 'foreigner', project: 'p1', admin: true })).body.token;
      secrets.push(foreignImageToken);
      await waitFor('the short-lived image token to expire', () => Date.now() > expiredImageTokenAt + 50, 3_000);
      const [header, payload] = tokens.admin!.split('.') as [string, string];
      const kinds: Record<string, string | null> = {
        none: null,
        empty: '',
        malformed: 'ilt1.e30.AAAA',
        'tampered claims': `${header}.${Buffer.from(JSON.stringify({ sub: 'x', prj: 'p1', adm: true, exp: 4_102_444_800 })).toString('base64url')}.${tokens.admin!.split('.')[2]}`,
        'signature cut': `${header}.${payload}.`,
        expired: expiredImageToken,
        foreign: foreignImageToken,
        'operator token': controller.adminToken,
        'join token': (await controller.joinToken()).token,
        oversized: `ilt1.${'a'.repeat(5000)}.b`,
      };
      secrets.push(kinds['join token']!);
      for (const route of IMAGE_API_ROUTES) {
        const [method, template] = route.split(' ') as [string, string];
        const path = template.replace('{id}', probeImageId).replace('{tag}', 'probe');
        for (const [kind, token] of Object.entries(kinds)) {
          const headers: Record<string, string> = { 'Content-Type': method === 'PATCH' ? 'application/openstack-images-v2.1-json-patch' : method === 'PUT' ? 'application/octet-stream' : 'application/json' };
          if (token !== null) headers['X-Auth-Token'] = token;
          const response = await fetch(`${url()}${path}`, { method, headers, body: method === 'GET' || method === 'DELETE' ? undefined : '{}', redirect: 'manual' });
          const text = await response.text();
          tried.imageApi += 1;
          expect({ route, kind, status: response.status }).toEqual({ route, kind, status: 401 });
          expect(text).toMatch(kind === 'none' || kind === 'empty' ? /could not verify that you are authorized/ : /Authentication failed: (malformed token|bad token signature|token expired)\./);
        }
      }
      const fine = await fetch(`${url()}/v2/images/${probeImageId}`, { headers: { 'X-Auth-Token': tokens.admin! } });
      expect(fine.status).toBe(200);
    });
  });

  describe('a read-only operator token', () => {
    it('reads every GET route but changes nothing: 403 on every other route', async () => {
      const viewer = await controller.request<{ token: string; scope: string }>('POST', '/api/v1/operator-tokens', { name: 'viewer' });
      expect(viewer.body.scope).toBe('read-only');
      secrets.push(viewer.body.token);
      const everything = async () =>
        Promise.all(['/api/v1/hosts', '/api/v1/images', '/api/v1/join-tokens', '/api/v1/operator-tokens'].map(async (path) => stable((await controller.request('GET', path)).body)));
      const before = await everything();
      for (const { method, path, route } of (await restRoutes()).filter(({ route }) => !PUBLIC_REST.includes(route))) {
        const answer = await rest(method, path, `Bearer ${viewer.body.token}`, method === 'GET' || method === 'DELETE' ? undefined : {});
        tried.readOnly += 1;
        if (method === 'GET') expect({ route, refused: [401, 403].includes(answer.status) }).toEqual({ route, refused: false });
        else if (READ_ONLY_POSTS.includes(route)) expect({ route, status: answer.status }).toEqual({ route, status: 201 });
        else expect({ route, answer }).toEqual({ route, answer: { status: 403, body: { statusCode: 403, error: 'FORBIDDEN', message: 'the token "viewer" is read-only' } } });
      }
      expect(await everything()).toEqual(before);
    });
  });

  describe('image visibility for project tokens, as Glance', () => {
    const VISIBILITIES = ['private', 'shared', 'community', 'public'] as const;
    const CALLERS = ['owner', 'other', 'noProject', 'admin'] as const;
    const sees = (caller: (typeof CALLERS)[number], visibility: string) => caller === 'admin' || caller === 'owner' || visibility === 'community' || visibility === 'public';
    const mayChange = (caller: (typeof CALLERS)[number]) => caller === 'admin' || caller === 'owner';

    beforeAll(async () => {
      for (const visibility of VISIBILITIES) {
        const created = await fetch(`${hostUrl}/v2/images`, {
          method: 'POST',
          headers: { 'X-Auth-Token': tokens.admin!, 'Content-Type': 'application/json' },
          body: JSON.stringify({ name: `vis-${visibility}`, owner: 'p1', visibility, disk_format: 'raw', container_format: 'bare' }),
        });
        images[visibility] = ((await created.json()) as { id: string }).id;
        await waitFor(`vis-${visibility} on the host`, async () => (await fetch(`${hostUrl}/v2/images/${images[visibility]}`, { headers: { 'X-Auth-Token': tokens.admin! } })).status === 200);
        const uploaded = await fetch(`${hostUrl}/v2/images/${images[visibility]}/file`, { method: 'PUT', headers: { 'X-Auth-Token': tokens.admin!, 'Content-Type': 'application/octet-stream' }, body: `data of ${visibility}` });
        expect(uploaded.status).toBe(204);
      }
      await waitFor('every image ok on the host', async () => {
        for (const id of Object.values(images)) {
          const view = await controller.request<{ status: string; hosts: { status: string }[] }>('GET', `/api/v1/images/${id}`);
          if (view.body.status !== 'active' || view.body.hosts[0]?.status !== 'ok') return false;
        }
        return true;
      });
    });

    const call = (url: string, caller: string, method: string, path: string, body?: string, contentType = 'application/json') =>
      fetch(`${url}${path}`, { method, headers: { 'X-Auth-Token': tokens[caller]!, 'Content-Type': contentType }, body, redirect: 'manual' }).then(async (response) => ({ status: response.status, text: (await response.text()).replace(/&#x27;/g, "'") }));

    it.each([
      ['host', () => hostUrl, 200],
      ['front door', () => frontDoorUrl, 307],
    ])('the %s shows, serves and changes each image only for whom Glance would', async (_name, url, served) => {
      for (const caller of CALLERS) {
        for (const visibility of VISIBILITIES) {
          const id = images[visibility]!;
          const visible = sees(caller, visibility);
          const refused = visible ? 403 : 404;
          const outcome = {
            show: (await call(url(), caller, 'GET', `/v2/images/${id}`)).status,
            download: (await call(url(), caller, 'GET', `/v2/images/${id}/file`)).status,
            patch: (await call(url(), caller, 'PATCH', `/v2/images/${id}`, JSON.stringify([{ op: 'add', path: '/abuse_probe', value: caller }]), 'application/openstack-images-v2.1-json-patch')).status,
            tag: (await call(url(), caller, 'PUT', `/v2/images/${id}/tags/probe`)).status,
            ...(mayChange(caller)
              ? {}
              : {
                  delete: (await call(url(), caller, 'DELETE', `/v2/images/${id}`)).status,
                  deactivate: (await call(url(), caller, 'POST', `/v2/images/${id}/actions/deactivate`)).status,
                  upload: (await call(url(), caller, 'PUT', `/v2/images/${id}/file`, 'more', 'application/octet-stream')).status,
                }),
          };
          tried.visibility += Object.keys(outcome).length;
          expect({ caller, visibility, outcome }).toEqual({
            caller,
            visibility,
            outcome: {
              show: visible ? 200 : 404,
              download: visible ? served : 404,
              patch: !visible ? 404 : mayChange(caller) ? 200 : 403,
              tag: !visible ? 404 : mayChange(caller) ? 204 : 403,
              ...(mayChange(caller) ? {} : { delete: refused, deactivate: refused, upload: refused }),
            },
          });
        }
      }
      for (const id of Object.values(images)) expect((await call(url(), 'admin', 'GET', `/v2/images/${id}`)).status).toBe(200);
    });

    it.each([
      ['host', () => hostUrl],
      ['front door', () => frontDoorUrl],
    ])("the %s lists a project's own images, everyone's public ones, and community ones when asked", async (_name, url) => {
      const listed = async (caller: string, query = '') =>
        ((JSON.parse((await call(url(), caller, 'GET', `/v2/images?sort_key=name&sort_dir=asc${query}`)).text) as { images: { name: string }[] }).images)
          .map((image) => image.name)
          .filter((name) => name.startsWith('vis-'));
      expect(await listed('owner')).toEqual(['vis-community', 'vis-private', 'vis-public', 'vis-shared']);
      expect(await listed('other')).toEqual(['vis-public']);
      expect(await listed('noProject')).toEqual(['vis-public']);
      expect(await listed('admin')).toEqual(['vis-private', 'vis-public', 'vis-shared']);
      for (const caller of CALLERS) expect(await listed(caller, '&visibility=community')).toEqual(['vis-community']);
      tried.visibility += 4 + CALLERS.length;
    });

    it.each([
      ['host', () => hostUrl],
      ['front door', () => frontDoorUrl],
    ])('the %s lets only an admin publish an image or create one for another project', async (_name, url) => {
      const create = (caller: string, body: object) => call(url(), caller, 'POST', '/v2/images', JSON.stringify({ disk_format: 'raw', container_format: 'bare', ...body }));
      expect(await create('owner', { name: 'x', visibility: 'public' })).toMatchObject({ status: 403, text: expect.stringContaining('You are not authorized to complete publicize_image action.') });
      expect(await create('owner', { name: 'x', owner: 'p2' })).toMatchObject({ status: 403, text: expect.stringContaining("You are not permitted to create images owned by 'p2'.") });
      expect(await create('noProject', { name: 'x' })).toMatchObject({ status: 403, text: expect.stringContaining("You are not permitted to create images owned by 'None'.") });
      const publish = await call(url(), 'owner', 'PATCH', `/v2/images/${images.shared}`, JSON.stringify([{ op: 'replace', path: '/visibility', value: 'public' }]), 'application/openstack-images-v2.1-json-patch');
      expect(publish).toMatchObject({ status: 403, text: expect.stringContaining('publicize_image') });
      expect((await create('owner', { name: 'own-community', visibility: 'community' })).status).toBe(201);
      expect((await create('admin', { name: 'x-admin-public', owner: 'p2', visibility: 'public' })).status).toBe(201);
      tried.visibility += 6;
    });
  });

  describe('TLS after enrolment', () => {
    it('keeps an enrolled agent from talking to a controller of another CA (security.e2e shows the pinned hash at enrolment)', async () => {
      await agent.kill('SIGTERM');
      const misledLog = join(agent.stateDir, 'misled.log');
      const misled = startNode(AGENT_MAIN, ['--controller', foreign.grpcAddress, '--state-dir', agent.stateDir, '--hostname', 'abuse-host', '--bind-address', '127.0.0.1'], {}, misledLog);
      const log = () => readFileSync(misledLog, 'utf8');
      try {
        await waitFor('the agent to fail the TLS handshake', () => /lost the controller/.test(log()) && /certificate|self.signed|verify/i.test(log()), 15_000);
        expect((await foreign.hosts()).filter((host) => host.hostname === 'abuse-host')).toEqual([]);
      } finally {
        misled.kill('SIGTERM');
        await exited(misled);
        agent.start();
      }
      await waitFor('the agent back on its own controller', async () => (await controller.host(agent.hostId)).connected);
      tried.grpc += 1;
    });
  });

  describe('secrets in logs', () => {
    it('never writes a token, ticket or private key into any process log', async () => {
      expect(secrets.length).toBeGreaterThan(20);
      const logs = { controller: readFileSync(controller.logFile, 'utf8'), foreign: readFileSync(foreign.logFile, 'utf8'), agent: agent.log(), misled: readFileSync(join(agent.stateDir, 'misled.log'), 'utf8') };
      const leaks = Object.entries(logs).flatMap(([name, log]) => secrets.flatMap((secret) => secretParts(secret).filter((part) => log.includes(part)).map((part) => `${name}: ${part.slice(0, 12)}…`)));
      expect(leaks).toEqual([]);
    });
  });
});

/** What an operator could have changed, without what moves by itself (heartbeats, facts, free space). */
function stable(body: unknown): unknown {
  return JSON.parse(JSON.stringify(body, (key, value: unknown) => (['lastHeartbeatAt', 'facts', 'repositories', 'connected', 'conditions', 'hosts', 'updatedAt'].includes(key) ? undefined : value)));
}

/** A token's secret parts: the whole token and, for "<id>.<secret>" and image tokens, the parts that are secret. */
function secretParts(secret: string): string[] {
  const parts = secret.split('.');
  if (parts.length === 2) return [secret, parts[1]!];
  if (parts.length === 3) return [secret, parts[2]!].filter((part) => part.length > 8);
  return [secret];
}

/** The base64 body of a PEM (what would leak if a key were logged, whatever the line breaks). */
function pemBody(pem: string): string {
  return pem.split('\n').filter((line) => line && !line.startsWith('-----'))[1] ?? pem;
}

function selfSignedIdentity(): Identity {
  const dir = tempDir('intruder');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1', '-subj', '/CN=intruder',
    '-addext', 'extendedKeyUsage=clientAuth', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'),
  ], { stdio: 'ignore' });
  return { keyPem: readFileSync(join(dir, 'key.pem'), 'utf8'), certPem: readFileSync(join(dir, 'cert.pem'), 'utf8') };
}

/** A host certificate for the key, signed by the controller's own CA, valid only in January 2020. */
function expiredCertificate(controller: ControllerProcess, keyPem: string): string {
  const dir = tempDir('expired');
  writeFileSync(join(dir, 'key.pem'), keyPem);
  writeFileSync(join(dir, 'index.txt'), '');
  writeFileSync(join(dir, 'serial'), '01\n');
  writeFileSync(
    join(dir, 'ca.cnf'),
    '[ca]\ndefault_ca = ca_default\n[ca_default]\ndatabase = index.txt\nnew_certs_dir = .\nserial = serial\ndefault_md = sha256\npolicy = any\nunique_subject = no\n[any]\ncommonName = supplied\n[client]\nextendedKeyUsage = clientAuth\n',
  );
  execFileSync('openssl', ['req', '-new', '-key', 'key.pem', '-subj', '/CN=expired', '-out', 'csr.pem'], { cwd: dir, stdio: 'ignore' });
  execFileSync(
    'openssl',
    ['ca', '-batch', '-config', 'ca.cnf', '-cert', join(controller.dataDir, 'ca.crt'), '-keyfile', join(controller.dataDir, 'ca.key'), '-in', 'csr.pem', '-out', 'cert.pem', '-startdate', '20200101000000Z', '-enddate', '20200102000000Z', '-extensions', 'client', '-notext'],
    { cwd: dir, stdio: 'ignore' },
  );
  return readFileSync(join(dir, 'cert.pem'), 'utf8');
}
