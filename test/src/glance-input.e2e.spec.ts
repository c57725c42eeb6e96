import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { existsSync, readdirSync, symlinkSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { join } from 'node:path';
import { AgentProcess } from './support/agent.js';
import { ControllerProcess } from './support/controller.js';
import { freePort, tempDir, waitFor } from './support/processes.js';

interface Answer {
  status: number;
  body: string;
  headers: Headers;
}

describe('the image API refuses bad input clearly and leaves nothing behind', () => {
  const controller = new ControllerProcess();
  const agent = new AgentProcess('input', controller, ['--max-upload-bytes', String(1024 * 1024)]);
  const repository = join(tempDir('repo'), 'images');
  let url = '';
  let token = '';

  beforeAll(async () => {
    await controller.start();
    const hostId = await agent.startConnected(await controller.joinToken());
    const port = await freePort();
    url = `http://127.0.0.1:${port}`;
    await controller.request('PUT', `/api/v1/hosts/${hostId}/roles/image-library`, { repositoryPath: repository, port });
    await waitFor('the role', async () => (await controller.host(hostId)).roles[0]?.state === 'active');
    token = (await controller.request<{ token: string }>('POST', '/api/v1/image-tokens', { subject: 'input', project: 'p1', admin: true })).body.token;
  });

  afterAll(async () => {
    await agent.kill('SIGTERM');
    await controller.kill('SIGTERM');
  });

  async function call(method: string, path: string, body?: string | Buffer, contentType = 'application/json', extra: Record<string, string> = {}): Promise<Answer> {
    const response = await fetch(`${url}${path}`, { method, headers: { 'X-Auth-Token': token, 'Content-Type': contentType, ...extra }, body });
    return { status: response.status, body: pageText(await response.text()), headers: response.headers };
  }

  async function queued(name = 'q'): Promise<string> {
    const created = await call('POST', '/v2/images', JSON.stringify({ name, disk_format: 'raw', container_format: 'bare' }));
    expect(created.status).toBe(201);
    const id = (JSON.parse(created.body) as { id: string }).id;
    await waitFor('the image on the host', async () => (await call('GET', `/v2/images/${id}`)).status === 200);
    return id;
  }

  const leftovers = () => readdirSync(repository).filter((name) => name.startsWith('.upload-'));

  it('answers 401 without a token or with a forged one', async () => {
    for (const headers of [{}, { 'X-Auth-Token': 'ilt1.e30.AAAA' }] as Record<string, string>[]) {
      const response = await fetch(`${url}/v2/images`, { headers });
      expect(response.status).toBe(401);
    }
  });

  it('refuses malformed JSON, a non-object body and read-only fields on create', async () => {
    expect(await call('POST', '/v2/images', '{"name": ')).toMatchObject({ status: 400, body: expect.stringContaining('Malformed JSON in request body.') });
    expect(await call('POST', '/v2/images', '[]')).toMatchObject({ status: 400 });
    expect(await call('POST', '/v2/images', JSON.stringify({ status: 'active' }))).toMatchObject({ status: 403, body: expect.stringContaining("Attribute 'status' is read-only.") });
    expect(await call('POST', '/v2/images', JSON.stringify({ disk_format: 'floppy' }))).toMatchObject({ status: 400 });
    expect(await call('POST', '/v2/images', '{}', 'text/plain')).toMatchObject({ status: 415 });
  });

  it('refuses read-only and unknown-dialect PATCHes', async () => {
    const id = await queued();
    const patch = (ops: unknown, type = 'application/openstack-images-v2.1-json-patch') => call('PATCH', `/v2/images/${id}`, JSON.stringify(ops), type);
    expect(await patch([{ op: 'replace', path: '/id', value: 'x' }])).toMatchObject({ status: 403, body: expect.stringContaining("Attribute 'id' is read-only.") });
    expect(await patch([{ op: 'replace', path: '/size', value: 1 }])).toMatchObject({ status: 403 });
    expect(await patch([{ op: 'add', path: '/custom', value: 5 }])).toMatchObject({ status: 400 });
    const wrongType = await patch([{ op: 'replace', path: '/name', value: 'x' }], 'application/json');
    expect(wrongType.status).toBe(415);
    expect(wrongType.headers.get('accept-patch')).toContain('application/openstack-images-v2.1-json-patch');
  });

  it('pages through the list with limit, sort and the next links Glance clients follow', async () => {
    const ids = [];
    for (const name of ['page-a', 'page-b', 'page-c', 'page-d', 'page-e']) ids.push(await queued(name));
    const seen: string[] = [];
    let next: string | undefined = '/v2/images?limit=2&sort_key=name&sort_dir=asc&name=in:page-a,page-b,page-c,page-d,page-e';
    for (let pages = 0; next && pages < 10; pages++) {
      const page = JSON.parse((await call('GET', next)).body) as { images: { name: string }[]; next?: string };
      seen.push(...page.images.map((image) => image.name));
      next = page.next;
    }
    expect(seen).toEqual(['page-a', 'page-b', 'page-c', 'page-d', 'page-e']);
    expect((await call('GET', '/v2/images?limit=-1')).status).toBe(400);
    expect((await call('GET', '/v2/images?marker=00000000-0000-4000-8000-000000000000')).status).toBe(400);
  });

  it('answers 404 for non-UUID ids and names with ../, and never reaches outside the repository', async () => {
    for (const path of ['/v2/images/not-a-uuid', '/v2/images/..%2F..%2Fetc%2Fpasswd/file', '/v2/images/../../etc/passwd']) {
      expect((await call('GET', path)).status).toBe(404);
    }
    const named = await call('POST', '/v2/images', JSON.stringify({ name: '../../etc/passwd', disk_format: 'raw', container_format: 'bare' }));
    expect(named.status).toBe(201);
    const id = (JSON.parse(named.body) as { id: string }).id;
    await waitFor('it on the host', async () => (await call('GET', `/v2/images/${id}`)).status === 200);
    expect((await call('PUT', `/v2/images/${id}/file`, Buffer.from('data'), 'application/octet-stream')).status).toBe(204);
    expect(existsSync(join(repository, id))).toBe(true);
    expect(readdirSync(repository).some((name) => name.includes('passwd'))).toBe(false);
  });

  it('uploads once: a second upload to an active image is 409, data with a wrong Content-MD5 is refused and leaves nothing', async () => {
    const id = await queued('once');
    expect((await call('PUT', `/v2/images/${id}/file`, Buffer.from('hello'), 'text/plain')).status).toBe(415);
    const mismatch = await call('PUT', `/v2/images/${id}/file`, Buffer.from('hello'), 'application/octet-stream', { 'Content-MD5': '0'.repeat(32) });
    expect(mismatch).toMatchObject({ status: 400, body: expect.stringContaining('Checksum verification failed') });
    expect(existsSync(join(repository, id))).toBe(false);
    expect(leftovers()).toEqual([]);
    await waitFor('the image killed', async () => JSON.parse((await call('GET', `/v2/images/${id}`)).body).status === 'killed');

    const good = await queued('good');
    expect((await call('PUT', `/v2/images/${good}/file`, Buffer.from('hello'), 'application/octet-stream', { 'Content-MD5': '5d41402abc4b2a76b9719d911017c592' })).status).toBe(204);
    await waitFor('active on the host', async () => JSON.parse((await call('GET', `/v2/images/${good}`)).body).status === 'active');
    const again = await call('PUT', `/v2/images/${good}/file`, Buffer.from('more'), 'application/octet-stream');
    expect(again).toMatchObject({ status: 409, body: expect.stringContaining('Image status transition from active to saving is not allowed') });
  });

  it('refuses an upload over the size limit with 413 and keeps nothing', async () => {
    const id = await queued('big');
    const tooBig = await call('PUT', `/v2/images/${id}/file`, Buffer.alloc(1024 * 1024 + 1), 'application/octet-stream');
    expect(tooBig.status).toBe(413);
    expect(existsSync(join(repository, id))).toBe(false);
    expect(leftovers()).toEqual([]);
  });

  it('puts the image back to queued and removes the partial file when the client disconnects mid-upload', async () => {
    const id = await queued('interrupted');
    await new Promise<void>((resolve) => {
      const req = httpRequest(`${url}/v2/images/${id}/file`, { method: 'PUT', headers: { 'X-Auth-Token': token, 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked' } });
      req.on('error', () => resolve());
      req.write(Buffer.alloc(256 * 1024));
      setTimeout(() => {
        req.destroy();
        resolve();
      }, 300);
    });
    await waitFor('the image back to queued', async () => JSON.parse((await call('GET', `/v2/images/${id}`)).body).status === 'queued');
    await waitFor('no partial file', () => leftovers().length === 0);
    expect(existsSync(join(repository, id))).toBe(false);
  });

  it('never serves a symlink planted at an image path', async () => {
    const id = await queued('planted');
    expect((await call('PUT', `/v2/images/${id}/file`, Buffer.from('real'), 'application/octet-stream')).status).toBe(204);
    const { rmSync } = await import('node:fs');
    rmSync(join(repository, id));
    symlinkSync('/etc/passwd', join(repository, id));
    const answer = await call('GET', `/v2/images/${id}/file`);
    expect(answer.status).toBe(503);
    expect(answer.body).not.toContain('root:');
  });

  it('puts the image back to queued when its host dies mid-upload', async () => {
    const id = await queued('orphan');
    const req = httpRequest(`${url}/v2/images/${id}/file`, { method: 'PUT', headers: { 'X-Auth-Token': token, 'Content-Type': 'application/octet-stream', 'Transfer-Encoding': 'chunked' } });
    req.on('error', () => undefined);
    req.write(Buffer.alloc(256 * 1024));
    const status = async () => (await controller.request<{ status: string }>('GET', `/api/v1/images/${id}`)).body.status;
    await waitFor('the upload under way', async () => (await status()) === 'saving');
    await agent.kill('SIGKILL');
    req.destroy();
    await waitFor('the image back to queued', async () => (await status()) === 'queued');
    await agent.startConnected();
  });
});

/** An error page's text as a client shows it: entities decoded (webob escapes quotes). */
function pageText(body: string): string {
  return body.replace(/&#x27;/g, "'").replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
}
