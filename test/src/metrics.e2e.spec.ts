import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AgentProcess } from './support/agent.js';
import { ControllerProcess } from './support/controller.js';
import { adminImageToken, createImageWithData } from './support/image-api.js';
import { tempDir, waitFor } from './support/processes.js';

const IMAGE_SIZE = 2 * 1024 * 1024;

/** The samples of a metric in Prometheus' text format whose labels include the given ones. */
function samples(text: string, name: string, labels: Record<string, string> = {}): number[] {
  return text
    .split('\n')
    .filter((line) => line.startsWith(`${name}{`) || line.startsWith(`${name} `))
    .filter((line) => Object.entries(labels).every(([key, value]) => line.includes(`${key}="${value}"`)))
    .map((line) => Number(line.slice(line.lastIndexOf(' ') + 1)));
}

const sum = (values: number[]) => values.reduce((a, b) => a + b, 0);

describe('metrics and logs after traffic', () => {
  const controller = new ControllerProcess({ IMAGELIB_HEARTBEAT_INTERVAL_MS: '500' });
  // Host B copies at 1 MiB/s, so that the copy is under way (and in the backlog) for about 2 s.
  const agents = [new AgentProcess('metrics-a', controller), new AgentProcess('metrics-b', controller, ['--replication-bandwidth', String(1024 * 1024)])];
  const repositories = [join(tempDir('repo-a'), 'images'), join(tempDir('repo-b'), 'images')];
  const data = randomBytes(IMAGE_SIZE);
  let urls: string[] = [];
  let imageId = '';
  let backlogDuringCopy = 0;
  const scrape = async () => (await fetch(`http://127.0.0.1:${controller.httpPort}/metrics`)).text();

  beforeAll(async () => {
    await controller.start();
    const enrolment = await controller.joinToken({ maxUses: 2 });
    const ids = await Promise.all(agents.map((agent) => agent.startConnected(enrolment)));
    urls = await controller.giveImageLibraryRole(ids, repositories);
    const token = await adminImageToken(controller);
    imageId = await createImageWithData(urls[0]!, token, 'metrics-image', data);
    for (let i = 0; i < 2; i++) {
      const download = await fetch(`${urls[0]}/v2/images/${imageId}/file`, { headers: { 'X-Auth-Token': token } });
      expect(Buffer.from(await download.arrayBuffer()).equals(data)).toBe(true);
    }
    expect((await fetch(`${urls[0]}/v2/images`, { headers: { 'X-Auth-Token': token } })).status).toBe(200);
    expect((await controller.request('GET', '/api/v1/hosts')).status).toBe(200);
    expect((await controller.request('GET', '/api/v1/images')).status).toBe(200);
    // The other host is on its own disk: the controller has it copy the image, which it reports ok.
    backlogDuringCopy = await waitFor('the copy in the replication backlog', async () => {
      const [backlog] = samples(await scrape(), 'imagelib_replication_backlog');
      return backlog !== undefined && backlog > 0 ? backlog : undefined;
    }).catch(() => 0);
    await waitFor(
      'the image ok on both hosts',
      async () => (await controller.request<{ hosts: { status: string }[] }>('GET', `/api/v1/images/${imageId}`)).body.hosts.every((host) => host.status === 'ok'),
      20_000,
    );
  });

  afterAll(async () => {
    await Promise.all(agents.map((agent) => agent.kill('SIGTERM')));
    await controller.kill('SIGTERM');
  });

  it('the controller shows hosts, image statuses per host, REST traffic, heartbeat lag, replication backlog and process metrics without a token', async () => {
    const response = await fetch(`http://127.0.0.1:${controller.httpPort}/metrics`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const text = await response.text();
    expect(samples(text, 'imagelib_hosts')).toEqual([2]);
    expect(samples(text, 'imagelib_hosts_connected')).toEqual([2]);
    expect(samples(text, 'imagelib_roles', { role: 'image-library', state: 'active' })).toEqual([2]);
    expect(samples(text, 'imagelib_images', { status: 'active' })).toEqual([1]);
    for (const hostname of ['metrics-a', 'metrics-b']) {
      expect(samples(text, 'imagelib_host_connected', { hostname })).toEqual([1]);
      expect(samples(text, 'imagelib_image_host_statuses', { hostname, status: 'ok' })).toEqual([1]);
      expect(samples(text, 'imagelib_image_host_statuses', { hostname, status: 'offline' })).toEqual([0]);
      const [lag] = samples(text, 'imagelib_host_heartbeat_lag_seconds', { hostname });
      expect(lag).toBeGreaterThanOrEqual(0);
      expect(lag).toBeLessThan(1.25); // below the disconnect TTL of 2.5 heartbeat intervals
    }
    expect(samples(text, 'imagelib_heartbeat_interval_seconds')).toEqual([0.5]);
    // The backlog is what the planner found at its last sweep (every 2 s, and after status reports).
    expect(backlogDuringCopy).toBe(1);
    await waitFor('no replication backlog once the copy is ok', async () => samples(await scrape(), 'imagelib_replication_backlog')[0] === 0, 5000);
    expect(sum(samples(text, 'imagelib_http_requests_total', { method: 'GET', route: '/api/v1/hosts', status: '200' }))).toBeGreaterThanOrEqual(1);
    expect(sum(samples(text, 'imagelib_http_requests_total', { method: 'PUT', route: '/api/v1/hosts/:id/roles/image-library', status: '200' }))).toBe(2);
    expect(sum(samples(text, 'imagelib_http_request_duration_seconds_count', { route: '/api/v1/images/:id' }))).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain(imageId); // route templates, not ids
    expect(samples(text, 'nodejs_eventloop_lag_seconds')[0]).toBeGreaterThanOrEqual(0);
    expect(samples(text, 'process_resident_memory_bytes')[0]).toBeGreaterThan(0);
  });

  it('every agent shows its image API traffic, transfer times and replication on its image API port', async () => {
    const [a, b] = await Promise.all(urls.map(async (url) => (await fetch(`${url}/metrics`)).text()));
    const fileRoute = { route: '/v2/images/{id}/file' };
    // Host A: the upload, two downloads, and the copy host B pulled from it.
    expect(samples(a!, 'imagelib_image_api_requests_total', { method: 'PUT', ...fileRoute, status: '204' })).toEqual([1]);
    expect(samples(a!, 'imagelib_image_api_requests_total', { method: 'GET', route: '/v2/images', status: '200' })).toEqual([1]);
    expect(samples(a!, 'imagelib_image_api_bytes_received_total', fileRoute)[0]).toBeGreaterThanOrEqual(IMAGE_SIZE);
    expect(samples(a!, 'imagelib_image_api_bytes_sent_total', fileRoute)[0]).toBeGreaterThanOrEqual(3 * IMAGE_SIZE);
    expect(samples(a!, 'imagelib_image_upload_duration_seconds_count', { result: 'ok' })).toEqual([1]);
    expect(samples(a!, 'imagelib_image_download_duration_seconds_count', { result: 'ok' })).toEqual([3]);
    expect(samples(a!, 'imagelib_image_download_duration_seconds_sum', { result: 'ok' })[0]).toBeGreaterThan(0);
    expect(a).not.toContain(imageId);
    // Host B: the copy.
    expect(samples(b!, 'imagelib_replication_copies_total', { result: 'ok' })).toEqual([1]);
    expect(samples(b!, 'imagelib_replication_bytes_total')).toEqual([IMAGE_SIZE]);
    for (const text of [a!, b!]) {
      expect(samples(text, 'nodejs_eventloop_lag_seconds')[0]).toBeGreaterThanOrEqual(0);
      expect(samples(text, 'process_cpu_user_seconds_total')[0]).toBeGreaterThan(0);
    }
  });

  it('logs each REST request as one JSON line with the request id it returns, and never a token', async () => {
    const response = await fetch(`http://127.0.0.1:${controller.httpPort}/api/v1/hosts`, { headers: { authorization: `Bearer ${controller.adminToken}`, 'x-request-id': 'e2e-request-1' } });
    expect(response.headers.get('x-request-id')).toBe('e2e-request-1');
    const generated = await fetch(`http://127.0.0.1:${controller.httpPort}/healthz`, { headers: { 'x-request-id': 'not valid: spaces' } });
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const line = await waitFor('the request in the log', () =>
      readFileSync(controller.logFile, 'utf8')
        .split('\n')
        .find((l) => l.includes('"requestId":"e2e-request-1"')),
    );
    expect(JSON.parse(line)).toMatchObject({ level: 'log', context: 'HTTP', requestId: 'e2e-request-1', method: 'GET', route: '/api/v1/hosts', path: '/api/v1/hosts', status: 200, operator: 'admin' });
    expect(readFileSync(controller.logFile, 'utf8')).not.toContain(controller.adminToken.split('.')[1]);
    const agentLine = agents[0]!
      .log()
      .split('\n')
      .find((l) => l.includes('"msg":"image API request"') && l.includes('"route":"/v2/images/{id}/file"'));
    expect(JSON.parse(agentLine ?? '{}')).toMatchObject({ level: 30, method: 'PUT', status: 204, requestId: expect.stringMatching(/^req-/), bytesReceived: expect.any(Number) });
  });
});
