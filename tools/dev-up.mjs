#!/usr/bin/env node
// `npm start`: a controller on sqlite plus one local agent, enrolled and given the image-library
// role, all on 127.0.0.1 with state under ./.dev. Ctrl-C stops both. Run `npm run build` first
// (npm start does). Ports: IMAGELIB_HTTP_PORT (8080), IMAGELIB_GRPC_PORT (9443), IMAGE_PORT (9292).
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dev = join(root, '.dev');
const httpPort = Number(process.env.IMAGELIB_HTTP_PORT ?? 8080);
const grpcPort = Number(process.env.IMAGELIB_GRPC_PORT ?? 9443);
const imagePort = Number(process.env.IMAGE_PORT ?? 9292);
const api = `http://127.0.0.1:${httpPort}`;
const children = [];

function start(name, main, args, env) {
  const child = spawn(process.execPath, [main, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'inherit', 'inherit'] });
  child.on('exit', (code, signal) => {
    if (!stopping) {
      console.error(`${name} exited (${code ?? signal}); stopping`);
      stop(1);
    }
  });
  children.push(child);
}

let stopping = false;
function stop(code) {
  stopping = true;
  for (const child of children) child.kill('SIGTERM');
  setTimeout(() => process.exit(code), 1500).unref();
}
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

async function call(method, path, body) {
  const token = readFileSync(join(dev, 'controller/admin-token'), 'utf8').trim();
  const response = await fetch(`${api}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const payload = await response.json();
  if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(payload)}`);
  return payload;
}

async function until(what, check, timeoutMs = 30_000) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    try {
      const value = await check();
      if (value) return value;
    } catch {
      // not yet
    }
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error(`timed out waiting for ${what}`);
}

for (const main of ['apps/controller/dist/main.js', 'apps/agent/dist/main.js']) {
  if (!existsSync(join(root, main))) {
    console.error(`${main} is missing: run npm run build first`);
    process.exit(1);
  }
}
mkdirSync(dev, { recursive: true });
start('controller', join(root, 'apps/controller/dist/main.js'), [], {
  IMAGELIB_DATA_DIR: join(dev, 'controller'),
  IMAGELIB_HTTP_HOST: '127.0.0.1',
  IMAGELIB_HTTP_PORT: String(httpPort),
  IMAGELIB_GRPC_HOST: '127.0.0.1',
  IMAGELIB_GRPC_PORT: String(grpcPort),
});
await until('the controller', async () => (await fetch(`${api}/readyz`)).ok);

const agentState = join(dev, 'agent');
const agentArgs = ['--controller', `127.0.0.1:${grpcPort}`, '--state-dir', agentState, '--bind-address', '127.0.0.1'];
if (!existsSync(join(agentState, 'credential.json'))) {
  const join_ = await call('POST', '/api/v1/join-tokens', { description: 'npm start local agent' });
  agentArgs.push('--join-token', join_.token, '--ca-cert-hash', join_.caCertHash);
}
// The agent's heap and allocator settings, as its systemd unit sets them.
const { AGENT_LAUNCH_ENVIRONMENT } = await import('../apps/agent/dist/launch-environment.js');
start('agent', join(root, 'apps/agent/dist/main.js'), agentArgs, AGENT_LAUNCH_ENVIRONMENT);
await until('the agent to enrol', () => existsSync(join(agentState, 'credential.json')));
const hostId = JSON.parse(readFileSync(join(agentState, 'credential.json'), 'utf8')).hostId;
await until('the agent to connect', async () => (await call('GET', `/api/v1/hosts/${hostId}`)).connected);
await call('PUT', `/api/v1/hosts/${hostId}/roles/image-library`, { repositoryPath: join(dev, 'images'), port: imagePort });
const role = await until('the image-library role', async () => {
  const found = (await call('GET', `/api/v1/hosts/${hostId}`)).roles.find((r) => r.role === 'image-library');
  if (found?.state === 'failed') throw new Error(`the role failed: ${found.reason}`);
  return found?.state === 'active' ? found : undefined;
});
console.log(`
Image Library is running.
  REST API       ${api}/api/v1   (OpenAPI: ${api}/api/docs)
  dashboard      ${api}/dashboard   (log in with the admin token; metrics: ${api}/metrics)
  admin token    ${join(dev, 'controller/admin-token')}
  image service  ${role.url}   (host ${hostId})
Try: curl -H "Authorization: Bearer $(cat ${join(dev, 'controller/admin-token')})" ${api}/api/v1/hosts
Ctrl-C stops both processes.
`);
