import { afterAll, beforeAll, describe, expect, it, jest } from '@jest/globals';
import { type ServiceError, status } from '@grpc/grpc-js';
import type { AgentGatewayClient, ControllerMessage__Output } from '@imagelib/proto';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import { AgentProcess } from './support/agent.js';
import { ControllerProcess } from './support/controller.js';
import { ANSWER_WITHIN_MS, type FuzzRequest, fuzzRuns, fuzzTimeoutMs, nastyValue, openFileDescriptors, ProtoArbitraries, rawRequestArbitrary, requestArbitrary, rssBytes, sendRaw } from './support/fuzz.js';
import { enrolledIdentity, gatewayClient, gatewayMethods, unaryCall } from './support/grpc-client.js';
import { createImageWithData } from './support/image-api.js';
import { freePort, tempDir, waitFor } from './support/processes.js';

/**
 * The abuse suite's input part: property-based requests (fast-check) against the REST API, a host's
 * Glance API, the front door and the gRPC gateway, then slow and idle clients. Bad input never gets
 * a 5xx (or INTERNAL), every request is answered, the processes live on with bounded memory, and
 * the HTTP limits (IMAGELIB_HTTP_HEADERS_TIMEOUT_MS, IMAGELIB_HTTP_IDLE_TIMEOUT_MS) cut slow clients
 * off while others are served. IMAGELIB_FUZZ_RUNS=N runs N cases per property (a soak).
 */

const HEADERS_TIMEOUT_MS = 2000;
const IDLE_TIMEOUT_MS = 3000;
const PATCH_TYPE = 'application/openstack-images-v2.1-json-patch';
const GLANCE_TEMPLATES = [
  '/v2/images',
  '/v2/images/{id}',
  '/v2/images/{id}/file',
  '/v2/images/{id}/tags/{tag}',
  '/v2/images/{id}/actions/deactivate',
  '/v2/images/{id}/actions/reactivate',
  '/v2/schemas/image',
  '/v2/schemas/images',
  '/versions',
  '/',
];
const GLANCE_QUERY = ['limit', 'marker', 'sort', 'sort_key', 'sort_dir', 'name', 'status', 'visibility', 'member_status', 'os_hidden', 'protected', 'tag', 'size_min', 'size_max', 'created_at', 'updated_at', 'owner', 'disk_format', 'container_format', 'checksum', 'os_hash_value', 'changes-since'];
const IMAGE_FIELDS = ['name', 'visibility', 'disk_format', 'container_format', 'min_ram', 'min_disk', 'protected', 'os_hidden', 'tags', 'owner', 'id', 'status', 'size', 'locations', 'os_glance_x', 'custom'];
const REST_FIELDS = ['repositoryPath', 'port', 'requireMount', 'force', 'name', 'scope', 'subject', 'project', 'admin', 'ttlSeconds', 'maxUses', 'description'];

/** A JSON object with the API's own keys (and some others) holding wrong or odd values. */
function shapedObject(keys: string[]): fc.Arbitrary<Record<string, unknown>> {
  return fc.dictionary(fc.oneof({ weight: 4, arbitrary: fc.constantFrom(...keys) }, { weight: 1, arbitrary: fc.string({ maxLength: 20 }) }), nastyValue, { maxKeys: 6 });
}

/** JSON-patch documents in both of Glance's dialects, with the image's paths and others. */
const patchDocument = fc.array(
  fc.oneof(
    fc.record({ op: fc.oneof(fc.constantFrom('add', 'replace', 'remove', 'move', 'test'), fc.string()), path: fc.oneof(fc.constantFrom(...IMAGE_FIELDS.map((f) => `/${f}`), '/', '', '/locations/0', '/tags/-', '/a/b'), fc.string()), value: nastyValue }, { requiredKeys: ['op'] }),
    fc.record({ replace: fc.constantFrom('/name', '/visibility', '/x'), value: nastyValue }),
    nastyValue,
  ),
  { maxLength: 5 },
);

const figures: Record<string, unknown> = {};

jest.setTimeout(fuzzTimeoutMs());

describe('abuse: fuzzed input and slow clients', () => {
  let controller: ControllerProcess;
  let agent: AgentProcess;
  let hostUrl = '';
  let frontDoorPort = 0;
  let adminImageToken = '';
  const imageIds: string[] = [];
  let restTemplates: string[] = [];

  beforeAll(async () => {
    frontDoorPort = await freePort();
    controller = new ControllerProcess({
      IMAGELIB_IMAGE_API_HOST: '127.0.0.1',
      IMAGELIB_IMAGE_API_PORT: String(frontDoorPort),
      IMAGELIB_HTTP_HEADERS_TIMEOUT_MS: String(HEADERS_TIMEOUT_MS),
      IMAGELIB_HTTP_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS),
      IMAGELIB_LOG_LEVEL: 'warn',
    });
    await controller.start();
    agent = new AgentProcess('fuzzed', controller, ['--max-upload-bytes', String(1024 * 1024), '--http-headers-timeout-ms', String(HEADERS_TIMEOUT_MS), '--http-idle-timeout-ms', String(IDLE_TIMEOUT_MS), '--log-level', 'warn']);
    const hostId = await agent.startConnected(await controller.joinToken());
    [hostUrl] = (await controller.giveImageLibraryRole([hostId], [join(tempDir('repo'), 'images')])) as [string];
    adminImageToken = (await controller.request<{ token: string }>('POST', '/api/v1/image-tokens', { subject: 'fuzzer', project: 'fuzz', admin: true })).body.token;
    imageIds.push(await createImageWithData(hostUrl, adminImageToken, 'fuzz-active', Buffer.from('fuzz')));
    const queued = await fetch(`${hostUrl}/v2/images`, { method: 'POST', headers: { 'X-Auth-Token': adminImageToken, 'Content-Type': 'application/json' }, body: JSON.stringify({ name: 'fuzz-queued' }) });
    imageIds.push(((await queued.json()) as { id: string }).id);
    const document = (await (await fetch(`http://127.0.0.1:${controller.httpPort}/api/docs-json`)).json()) as { paths: Record<string, unknown> };
    restTemplates = Object.keys(document.paths);
  });

  afterAll(async () => {
    await agent?.kill('SIGTERM');
    await controller?.kill('SIGTERM');
    console.log(`abuse-fuzz figures: ${JSON.stringify(figures)}`);
  });

  const hostPort = () => Number(new URL(hostUrl).port);
  const servers = () => [
    { name: 'REST', port: controller.httpPort, pid: controller.child!.pid!, health: '/healthz' },
    { name: 'host image API', port: hostPort(), pid: agent.child!.pid!, health: '/healthz' },
    { name: 'front door', port: frontDoorPort, pid: controller.child!.pid!, health: '/healthz' },
  ];

  /** Every process still runs and answers its health probe. */
  async function expectAlive(): Promise<void> {
    expect(controller.child?.exitCode).toBeNull();
    expect(agent.child?.exitCode).toBeNull();
    for (const server of servers()) expect({ server: server.name, status: (await fetch(`http://127.0.0.1:${server.port}${server.health}`)).status }).toEqual({ server: server.name, status: 200 });
  }

  async function send(base: string, request: FuzzRequest): Promise<{ status: number; contentType: string; text: string }> {
    const response = await fetch(`${base}${request.path}`, { method: request.method, headers: request.headers, body: request.body, redirect: 'manual', signal: AbortSignal.timeout(ANSWER_WITHIN_MS) });
    return { status: response.status, contentType: response.headers.get('content-type') ?? '', text: await response.text() };
  }

  /** Runs the property, and records how many cases it took and how the process's memory moved. */
  async function fuzz<T>(name: string, pid: number, runs: number, arbitrary: fc.Arbitrary<T>, check: (value: T) => Promise<void>): Promise<void> {
    const rssBefore = rssBytes(pid);
    const started = Date.now();
    await fc.assert(fc.asyncProperty(arbitrary, check), { numRuns: runs });
    const rssAfter = rssBytes(pid);
    figures[name] = { cases: runs, seconds: (Date.now() - started) / 1000, rssBeforeMiB: Math.round(rssBefore / 2 ** 20), rssAfterMiB: Math.round(rssAfter / 2 ** 20) };
    expect(rssAfter - rssBefore).toBeLessThan(256 * 2 ** 20);
    await expectAlive();
  }

  describe('property-based requests', () => {
    it('REST API: no 5xx and a JSON error naming the problem, whatever the method, path, query, headers and body', async () => {
      const admin = `Bearer ${controller.adminToken}`;
      const requests = fc.tuple(
        requestArbitrary({ templates: restTemplates, ids: ['00000000-0000-4000-8000-000000000000', 'nope'], queryNames: ['ticket', 'force'], headerNames: ['authorization'], contentTypes: ['application/json', 'application/json; charset=utf-8'], shaped: shapedObject(REST_FIELDS) }),
        fc.boolean(),
      );
      await fuzz('rest', controller.child!.pid!, fuzzRuns(600), requests, async ([request, withToken]) => {
        if (withToken) request.headers.authorization = admin;
        const answer = await send(`http://127.0.0.1:${controller.httpPort}`, request);
        const overloaded = answer.status === 503 && request.path.startsWith('/api/v1/events/tickets');
        expect({ request, status: answer.status < 500 || overloaded }).toEqual({ request, status: true });
        if (answer.status >= 400 && request.method !== 'HEAD') {
          expect({ request, body: JSON.parse(answer.text) as unknown }).toEqual({ request, body: expect.objectContaining({ statusCode: answer.status, message: expect.anything() }) });
        }
      });
    });

    it("a host's Glance API: no 5xx for any request, JSON body or JSON-patch document", async () => {
      const requests = requestArbitrary({
        templates: GLANCE_TEMPLATES,
        ids: [...imageIds, 'blue'],
        queryNames: GLANCE_QUERY,
        headerNames: ['content-md5', 'x-image-meta-os-hash-value', 'x-openstack-request-id', 'if-match'],
        contentTypes: ['application/json', PATCH_TYPE, 'application/openstack-images-v2.0-json-patch', 'application/octet-stream'],
        shaped: fc.oneof(shapedObject(IMAGE_FIELDS), patchDocument),
      });
      await fuzz('glance', agent.child!.pid!, fuzzRuns(600), requests, async (request) => {
        request.headers['x-auth-token'] = adminImageToken;
        const answer = await send(hostUrl, request);
        expect({ request, status: answer.status < 500 }).toEqual({ request, status: true });
      });
    });

    it('the front door: no 5xx for any request either', async () => {
      const requests = requestArbitrary({ templates: GLANCE_TEMPLATES, ids: [...imageIds, 'blue'], queryNames: GLANCE_QUERY, headerNames: ['content-md5'], contentTypes: ['application/json', PATCH_TYPE, 'application/octet-stream'], shaped: fc.oneof(shapedObject(IMAGE_FIELDS), patchDocument) });
      await fuzz('frontDoor', controller.child!.pid!, fuzzRuns(200), requests, async (request) => {
        request.headers['x-auth-token'] = adminImageToken;
        const answer = await send(`http://127.0.0.1:${frontDoorPort}`, request);
        expect({ request, status: answer.status < 500 }).toEqual({ request, status: true });
      });
    });

    it('raw bytes on the wire (bad request lines, framing, smuggling attempts): answered below 500 or closed, never left hanging', async () => {
      const cases = fuzzRuns(300);
      const targets = [
        { name: 'rawRest', port: controller.httpPort, pid: controller.child!.pid!, token: { name: 'Authorization', value: `Bearer ${controller.adminToken}` }, paths: ['/api/v1/hosts', '/api/v1/join-tokens', '/healthz'] },
        { name: 'rawGlance', port: hostPort(), pid: agent.child!.pid!, token: { name: 'X-Auth-Token', value: adminImageToken }, paths: ['/v2/images', `/v2/images/${imageIds[0]}`, `/v2/images/${imageIds[1]}/file`] },
      ];
      for (const target of targets) {
        await fuzz(target.name, target.pid, cases, rawRequestArbitrary(target.paths, target.token), async (bytes) => {
          const answered = await sendRaw(target.port, bytes);
          expect({ request: bytes.toString('latin1'), status: answered < 500 }).toEqual({ request: bytes.toString('latin1'), status: true });
        });
      }
    });

    it('gRPC gateway: no INTERNAL or UNKNOWN for any message of any unary method', async () => {
      const credential = JSON.parse(readFileSync(join(agent.stateDir, 'credential.json'), 'utf8')) as { privateKeyPem: string; certificatePem: string };
      const client = gatewayClient(controller.grpcAddress, controller.caPem, { keyPem: credential.privateKeyPem, certPem: credential.certificatePem });
      const messages = new ProtoArbitraries([...imageIds, 'deactivate', 'reactivate', 'application/openstack-images-v2.1-json-patch', '{"name":"x"}']);
      const methods = gatewayMethods().filter((method) => !method.streaming);
      const calls = fc.oneof(...methods.map((method) => messages.message(method.requestType).map((request) => ({ method, request }))));
      await fuzz('grpcUnary', controller.child!.pid!, fuzzRuns(500), calls, async ({ method, request }) => {
        const { error } = await unaryCall(client, method, request);
        expect({ method: method.name, request, code: error && [status.INTERNAL, status.UNKNOWN, status.DEADLINE_EXCEEDED].includes(error.code) ? error.details : 'fine' }).toEqual({ method: method.name, request, code: 'fine' });
      });
      client.close();
    });

    it('gRPC catalog writes stream: every random write answered under its id, never with INTERNAL or UNKNOWN', async () => {
      const credential = JSON.parse(readFileSync(join(agent.stateDir, 'credential.json'), 'utf8')) as { privateKeyPem: string; certificatePem: string };
      const client = gatewayClient(controller.grpcAddress, controller.caPem, { keyPem: credential.privateKeyPem, certPem: credential.certificatePem });
      const method = gatewayMethods().find((m) => m.name === 'CatalogWrites')!;
      const writes = new WriteStream(client, method);
      const messages = new ProtoArbitraries([...imageIds, 'deactivate', 'reactivate', PATCH_TYPE, '{"name":"x"}']);
      await fuzz('grpcWrites', controller.child!.pid!, fuzzRuns(300), fc.array(messages.message('CatalogWriteRequest'), { minLength: 1, maxLength: 8 }), async (requests) => {
        const replies = await writes.send(requests);
        expect({ requests, failures: replies.filter((reply) => reply === null || [status.INTERNAL, status.UNKNOWN].includes(reply.error?.code ?? 0)) }).toEqual({ requests, failures: [] });
      });
      writes.close();
      client.close();
    });

    it('gRPC stream: random agent messages never break the controller, and the stream keeps answering heartbeats', async () => {
      // A host has one stream at a time: the cases take turns among a few hosts, each waiting until its previous stream is seen closed.
      const enrolling = gatewayClient(controller.grpcAddress, controller.caPem);
      const joinToken = (await controller.joinToken({ maxUses: 6 })).token;
      const hosts: { hostId: string; client: AgentGatewayClient }[] = [];
      for (let i = 0; i < 6; i++) {
        const identity = await enrolledIdentity(enrolling, joinToken, `fuzz-stream-${i}`);
        hosts.push({ hostId: identity.hostId, client: gatewayClient(controller.grpcAddress, controller.caPem, identity) });
      }
      enrolling.close();
      const messages = new ProtoArbitraries([...imageIds, 'image-library']);
      let turn = 0;
      await fuzz('grpcStream', controller.child!.pid!, fuzzRuns(100), fc.array(messages.message('AgentMessage'), { minLength: 1, maxLength: 12 }), async (sequence) => {
        const host = hosts[turn++ % hosts.length]!;
        await waitFor('the previous stream of this host to be closed', async () => !(await controller.host(host.hostId)).connected);
        expect(await streamAnswers(host.client, sequence)).toEqual({ welcomed: true, acknowledged: true, error: null });
      });
      for (const host of hosts) host.client.close();
      expect((await controller.host(agent.hostId)).connected).toBe(true);
    });
  });

  describe('limits', () => {
    it('answers 431 to headers over 16 KiB and 413 to oversized JSON bodies, then serves the next request', async () => {
      for (const server of servers()) {
        const big = await sendRaw(server.port, Buffer.from(`GET ${server.health} HTTP/1.1\r\nHost: x\r\nX-Big: ${'a'.repeat(20 * 1024)}\r\n\r\n`));
        expect({ server: server.name, status: big }).toEqual({ server: server.name, status: 431 });
      }
      const rest = await fetch(`http://127.0.0.1:${controller.httpPort}/api/v1/join-tokens`, { method: 'POST', headers: { authorization: `Bearer ${controller.adminToken}`, 'content-type': 'application/json' }, body: JSON.stringify({ description: 'x'.repeat(100 * 1024) }) });
      expect({ status: rest.status, body: await rest.json() }).toEqual({ status: 413, body: expect.objectContaining({ statusCode: 413 }) });
      for (const url of [hostUrl, `http://127.0.0.1:${frontDoorPort}`]) {
        const glance = await fetch(`${url}/v2/images`, { method: 'POST', headers: { 'X-Auth-Token': adminImageToken, 'content-type': 'application/json' }, body: JSON.stringify({ name: 'x'.repeat(300 * 1024) }) });
        expect({ url, status: glance.status }).toEqual({ url, status: 413 });
      }
      await expectAlive();
    });

    it('cuts off slow-loris clients (headers trickled) with 408 while serving others', async () => {
      const results = await Promise.all(
        servers().map(async (server) => {
          const slow = Array.from({ length: 20 }, () => trickle(server.port, 250));
          const served = await fetch(`http://127.0.0.1:${server.port}${server.health}`);
          expect(served.status).toBe(200);
          const outcomes = await Promise.all(slow);
          expect({ server: server.name, answers: [...new Set(outcomes.map((o) => o.answer))] }).toEqual({ server: server.name, answers: [408] });
          return [server.name, { clients: slow.length, closedAfterMs: Math.max(...outcomes.map((o) => o.elapsedMs)) }] as const;
        }),
      );
      figures.slowLoris = { headersTimeoutMs: HEADERS_TIMEOUT_MS, ...Object.fromEntries(results) };
    });

    it('closes many idle connections and connections whose body stalls, serving others meanwhile, and frees their descriptors', async () => {
      const descriptorsBefore = new Map(servers().map((server) => [server.pid, openFileDescriptors(server.pid)]));
      const results = await Promise.all(
        servers().map(async (server) => {
          const started = Date.now();
          const idle = await Promise.all(Array.from({ length: 300 }, () => openIdle(server.port)));
          const stalled = await Promise.all(Array.from({ length: 10 }, () => openIdle(server.port, `PUT ${server.health} HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\nabc`)));
          expect((await fetch(`http://127.0.0.1:${server.port}${server.health}`)).status).toBe(200);
          const open = () => [...idle, ...stalled].filter((connection) => !connection.isClosed()).length;
          await waitFor(`${server.name} to close the idle connections`, () => open() === 0, 20_000, 50);
          return [server.name, { idle: idle.length, stalledBodies: stalled.length, allClosedAfterMs: Date.now() - started }] as const;
        }),
      );
      for (const [pid, before] of descriptorsBefore) await waitFor(`process ${pid} to free the descriptors`, () => openFileDescriptors(pid) <= before + 5);
      figures.idleConnections = { headersTimeoutMs: HEADERS_TIMEOUT_MS, idleTimeoutMs: IDLE_TIMEOUT_MS, ...Object.fromEntries(results) };
      await expectAlive();
    });
  });
});

type WriteReply = { id: number; error?: { code?: number; message?: string } };

/** One CatalogWrites stream: each request gets a fresh id; `send` resolves with the replies in order (null for one not answered within 10 s). */
class WriteStream {
  private readonly call;
  private readonly waiting = new Map<number, (reply: WriteReply | null) => void>();
  private nextId = 1;

  constructor(client: AgentGatewayClient, method: ReturnType<typeof gatewayMethods>[number]) {
    this.call = client.makeBidiStreamRequest(method.path, method.serialize, method.deserialize as (bytes: Buffer) => WriteReply);
    this.call.on('data', (reply: WriteReply) => this.waiting.get(Number(reply.id))?.(reply));
    this.call.on('error', () => {
      for (const resolve of this.waiting.values()) resolve(null);
    });
  }

  send(requests: Record<string, unknown>[]): Promise<(WriteReply | null)[]> {
    return Promise.all(
      requests.map((request) => {
        const id = this.nextId++;
        return new Promise<WriteReply | null>((resolve) => {
          const timer = setTimeout(() => resolve(null), ANSWER_WITHIN_MS);
          this.waiting.set(id, (reply) => {
            clearTimeout(timer);
            this.waiting.delete(id);
            resolve(reply);
          });
          this.call.write({ ...request, id });
        });
      }),
    );
  }

  close(): void {
    this.call.cancel();
  }
}

/** Opens a stream, sends the messages and a heartbeat, and says whether the welcome and the heartbeat's ack came back. */
function streamAnswers(client: AgentGatewayClient, sequence: Record<string, unknown>[]): Promise<{ welcomed: boolean; acknowledged: boolean; error: string | null }> {
  return new Promise((resolve) => {
    const call = client.Connect();
    let welcomed = false;
    const seq = 424242;
    const timer = setTimeout(() => finish(false, 'no heartbeat ack within 10 s'), ANSWER_WITHIN_MS);
    const finish = (acknowledged: boolean, error: string | null) => {
      clearTimeout(timer);
      call.removeAllListeners('data');
      call.on('error', () => undefined);
      call.cancel();
      resolve({ welcomed, acknowledged, error });
    };
    call.on('data', (message: ControllerMessage__Output) => {
      if (message.welcome) welcomed = true;
      if (message.heartbeatAck?.seq === seq) finish(true, null);
    });
    call.on('error', (error: ServiceError) => finish(false, `${error.code}: ${error.details}`));
    call.write({ hello: { agentVersion: 'fuzz', roles: [] } });
    for (const message of sequence) call.write(message);
    call.write({ heartbeat: { seq } });
  });
}

/** Sends a request line, then one header line every `everyMs`, forever: resolves with the status the server answered and when it closed. */
function trickle(port: number, everyMs: number): Promise<{ answer: number; elapsedMs: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    let received = '';
    const socket = connect(port, '127.0.0.1', () => socket.write('GET /healthz HTTP/1.1\r\nHost: slow\r\n'));
    let line = 0;
    const timer = setInterval(() => socket.writable && socket.write(`X-Slow-${line++}: ${'z'.repeat(10)}\r\n`), everyMs);
    socket.on('data', (data: Buffer) => (received += data.toString('latin1')));
    socket.on('error', () => undefined);
    socket.on('close', () => {
      clearInterval(timer);
      resolve({ answer: Number(/^HTTP\/1\.1 (\d{3})/.exec(received)?.[1] ?? 0), elapsedMs: Date.now() - started });
    });
  });
}

/** A connection that sends `bytes` (nothing by default) and then stays silent until the server closes it. */
function openIdle(port: number, bytes = ''): Promise<{ socket: Socket; isClosed: () => boolean }> {
  return new Promise((resolve, reject) => {
    let closed = false;
    const socket = connect(port, '127.0.0.1', () => {
      if (bytes) socket.write(bytes);
      resolve({ socket, isClosed: () => closed });
    });
    socket.on('close', () => (closed = true));
    socket.on('error', reject);
    // Read (and drop) what the server sends: a socket that is not read never sees the server close it.
    socket.resume();
  });
}
