import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { postgresForTests, type PostgresServer, startPostgres } from '@imagelib/testbed';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The built controller (the test target builds it first). */
const CONTROLLER_MAIN = fileURLToPath(new URL('../../dist/main.js', import.meta.url));
const START_MS = 120_000;

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer().once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

async function controllerEnv(dataDir: string, databaseUrl: string): Promise<NodeJS.ProcessEnv> {
  return {
    PATH: process.env.PATH,
    IMAGELIB_DATA_DIR: dataDir,
    IMAGELIB_DATABASE_URL: databaseUrl,
    IMAGELIB_HTTP_HOST: '127.0.0.1',
    IMAGELIB_HTTP_PORT: String(await freePort()),
    IMAGELIB_GRPC_HOST: '127.0.0.1',
    IMAGELIB_GRPC_PORT: String(await freePort()),
    IMAGELIB_LOG_LEVEL: 'debug',
  };
}

describe('the controller on PostgreSQL (IMAGELIB_DATABASE_URL)', () => {
  const binaries = postgresForTests('the controller on PostgreSQL');
  if (!binaries) {
    it('did not run: PostgreSQL is missing (warned above)', () => undefined);
    return;
  }
  let server: PostgresServer;
  let dataDir: string;

  beforeAll(async () => {
    server = await startPostgres({ binaries });
    dataDir = mkdtempSync(join(tmpdir(), 'imagelib-controller-pg-'));
  }, START_MS);

  afterAll(async () => {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it('starts, keeps its state and its keys in PostgreSQL (only the admin token in the data directory), and never logs the password', async () => {
    const url = await server.createDatabase('controller');
    const password = decodeURIComponent(new URL(url).password);
    const env = await controllerEnv(dataDir, url);
    const api = `http://127.0.0.1:${env.IMAGELIB_HTTP_PORT}`;
    const child = spawn(process.execPath, [CONTROLLER_MAIN], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      let ready = 0;
      for (let attempt = 0; attempt < 600 && ready !== 200 && child.exitCode === null; attempt += 1) {
        ready = await fetch(`${api}/readyz`).then((response) => response.status, () => 0);
        if (ready !== 200) await new Promise((resolve) => setTimeout(resolve, 100));
      }
      expect({ ready, output: child.exitCode === null ? '' : output }).toEqual({ ready: 200, output: '' });
      const token = readFileSync(join(dataDir, 'admin-token'), 'utf8').trim();
      const created = await fetch(`${api}/api/v1/join-tokens`, { method: 'POST', headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' }, body: '{"maxUses": 2}' });
      expect(created.status).toBe(201);
      expect(['ca.crt', 'ca.key', 'image-token.key', 'imagelib.sqlite'].filter((file) => existsSync(join(dataDir, file)))).toEqual([]);
    } finally {
      child.kill('SIGTERM');
      await exited;
    }
    expect(output).toContain('REST API listening');
    expect(output).not.toContain(password);
  }, START_MS);

  it('refuses to start when the server cannot be reached, naming the database without its password', async () => {
    const url = (await server.createDatabase('unreachable')).replace(/:(\d+)\//, `:${await freePort()}/`);
    const run = spawnSync(process.execPath, [CONTROLLER_MAIN], { env: await controllerEnv(dataDir, url), encoding: 'utf8', timeout: START_MS });
    expect(run.status).toBe(1);
    const shown = new URL(url);
    shown.password = '';
    expect(run.stderr).toContain(`cannot open the database ${shown.toString()}: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${shown.port}`);
    expect(`${run.stdout}${run.stderr}`).not.toContain(decodeURIComponent(new URL(url).password));
  }, START_MS);
});
