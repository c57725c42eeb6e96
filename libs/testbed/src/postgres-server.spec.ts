import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { promisify } from 'node:util';
import { findPostgresBinaries, postgresForTests, type PostgresBinaries, type PostgresServer, startPostgres } from './postgres-server.js';

describe('finding PostgreSQL', () => {
  const root = mkdtempSync(join(tmpdir(), 'imagelib-pg-root-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  function install(version: string, programs: string[]): void {
    mkdirSync(join(root, version, 'bin'), { recursive: true });
    for (const program of programs) writeFileSync(join(root, version, 'bin', program), '');
  }

  it('takes the newest complete version, and says what is missing (a failure under CI)', () => {
    expect(findPostgresBinaries(root)).toBeNull();
    expect(() => postgresForTests('the PostgreSQL half', { CI: 'true' }, root)).toThrow(`PostgreSQL is missing (no ${root}/*/bin/postgres; apt-get install postgresql, as .ci/run does): the PostgreSQL half cannot run`);
    install('9', ['initdb', 'postgres', 'createdb']);
    install('15', ['initdb', 'postgres', 'createdb']);
    install('16', ['initdb', 'postgres']);
    expect(findPostgresBinaries(root)).toEqual({ initdb: join(root, '15/bin/initdb'), postgres: join(root, '15/bin/postgres'), createdb: join(root, '15/bin/createdb') });
  });
});

describe('a throwaway PostgreSQL server', () => {
  const binaries = postgresForTests('the PostgreSQL test server tests');
  if (!binaries) {
    it('did not run: PostgreSQL is missing (warned above)', () => undefined);
    return;
  }
  const psql = (url: string, sql: string) => promisify(execFile)(join(dirname(binaries.postgres), 'psql'), ['-X', '-A', '-t', '-c', sql, url], { env: { PATH: process.env.PATH } }).then((out) => out.stdout.trim());
  let server: PostgresServer;

  beforeAll(async () => {
    server = await startPostgres({ binaries });
  }, 120_000);

  afterAll(async () => {
    await server.stop();
  });

  it('listens on loopback with a password, and makes a fresh database per suite', async () => {
    expect(server.url).toMatch(/^postgres:\/\/imagelib:[\w-]+@127\.0\.0\.1:\d+\/postgres$/);
    const url = await server.createDatabase('suite_one');
    expect(url).toBe(server.url.replace(/\/postgres$/, '/suite_one'));
    expect(await psql(url, 'SELECT current_database()')).toBe('suite_one');
    await expect(psql(url.replace(/:[\w-]+@/, ':wrong@'), 'SELECT 1')).rejects.toThrow(/password authentication failed/);
    await expect(server.createDatabase('Bad name')).rejects.toThrow('not a plain database name: Bad name');
  });

  it('kills the server and its backends at once, and still cleans up', async () => {
    const other = await startPostgres({ binaries });
    const url = await other.createDatabase('doomed');
    expect(await psql(url, 'SELECT 1')).toBe('1');
    await other.kill();
    await expect(psql(url, 'SELECT 1')).rejects.toThrow(/Connection refused|could not connect/);
    await other.stop();
  }, 120_000);

  it('fails to start with the end of the server log when the server gives up', async () => {
    await expect(startPostgres({ binaries: binaries as PostgresBinaries, settings: { no_such_setting: 'on' } })).rejects.toThrow(/PostgreSQL exited while starting \(port \d+\); its log ends:\n[\s\S]*unrecognized configuration parameter "no_such_setting"/);
  }, 120_000);
});
