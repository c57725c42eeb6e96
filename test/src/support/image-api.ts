/** Minimal Glance v2 calls on one image service host, for tests that need images with data. */
export async function createImageWithData(url: string, token: string, name: string, data: Buffer): Promise<string> {
  const created = await fetch(`${url}/v2/images`, {
    method: 'POST',
    headers: { 'X-Auth-Token': token, 'Content-Type': 'application/json' },
    body: JSON.stringify({ name, disk_format: 'raw', container_format: 'bare' }),
  });
  if (created.status !== 201) throw new Error(`create ${name} on ${url}: ${created.status} ${await created.text()}`);
  const { id } = (await created.json()) as { id: string };
  const uploaded = await fetch(`${url}/v2/images/${id}/file`, { method: 'PUT', headers: { 'X-Auth-Token': token, 'Content-Type': 'application/octet-stream' }, body: data });
  if (uploaded.status !== 204) throw new Error(`upload ${name} to ${url}: ${uploaded.status} ${await uploaded.text()}`);
  return id;
}

/** An admin image token for the image API, from the controller. */
export async function adminImageToken(controller: { request: <T>(method: string, path: string, body?: unknown) => Promise<{ status: number; body: T }> }): Promise<string> {
  const issued = await controller.request<{ token: string }>('POST', '/api/v1/image-tokens', { subject: 'e2e-admin', project: 'demo', admin: true });
  if (issued.status !== 201) throw new Error(`image token: ${issued.status}`);
  return issued.body.token;
}
