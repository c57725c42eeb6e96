import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import Database from 'better-sqlite3';
import { execFileSync, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { ControllerProcess } from './support/controller.js';
import { CONTROLLER_MAIN, rootAvailable, waitFor } from './support/processes.js';

interface ErrorBody {
  message: string;
}

describe('the controller when its database cannot be written', () => {
  const controller = new ControllerProcess();
  const database = () => join(controller.dataDir, 'imagelib.sqlite');

  beforeAll(async () => {
    await controller.start();
  });

  afterAll(async () => {
    await controller.kill('SIGTERM');
  });

  const createJoinToken = () => controller.request<ErrorBody>('POST', '/api/v1/join-tokens', { maxUses: 1 });

  it('reports not ready while another process holds the database locked, stays alive, and recovers when it lets go', async () => {
    const other = new Database(database());
    other.exec('BEGIN EXCLUSIVE');
    try {
      const readiness = await controller.request<ErrorBody>('GET', '/readyz', undefined, null);
      expect(readiness.status).toBe(503);
      expect(readiness.body.message).toMatch(/^the database cannot be written: .*locked/);
      expect((await controller.request('GET', '/healthz', undefined, null)).status).toBe(200);
      const write = await createJoinToken();
      expect(write.status).toBe(503);
      expect(write.body.message).toMatch(/database/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    await waitFor('ready again', async () => (await controller.request('GET', '/readyz', undefined, null)).status === 200, 15_000, 200);
    expect((await createJoinToken()).status).toBe(201);
  }, 60_000);

  it('refuses to start on a read-only database directory, saying why, and starts with everything there once it is writable', async () => {
    if (!rootAvailable('a read-only bind mount of the database directory')) return;
    const before = (await controller.request<unknown[]>('GET', '/api/v1/join-tokens')).body.length;
    await controller.kill('SIGTERM');
    execFileSync('mount', ['--bind', controller.dataDir, controller.dataDir]);
    try {
      execFileSync('mount', ['-o', 'remount,bind,ro', controller.dataDir]);
      const run = spawnSync(process.execPath, [CONTROLLER_MAIN], {
        env: { PATH: process.env.PATH, IMAGELIB_DATA_DIR: controller.dataDir, IMAGELIB_HTTP_HOST: '127.0.0.1', IMAGELIB_HTTP_PORT: String(controller.httpPort), IMAGELIB_GRPC_HOST: '127.0.0.1', IMAGELIB_GRPC_PORT: String(controller.grpcPort) },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(run.status).not.toBe(0);
      expect(run.signal).toBeNull();
      expect(`${run.stdout}${run.stderr}`).toContain(`cannot open the database ${database()}: SQLITE_CANTOPEN: unable to open database file (its directory must be writable`);
    } finally {
      execFileSync('umount', [controller.dataDir]);
    }
    await controller.start();
    expect((await controller.request<unknown[]>('GET', '/api/v1/join-tokens')).body.length).toBe(before);
    expect((await createJoinToken()).status).toBe(201);
  }, 90_000);
});
