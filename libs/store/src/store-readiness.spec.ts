import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { postgresForTests, type PostgresServer, startPostgres } from '@imagelib/testbed';
import Database from 'better-sqlite3';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openStore } from './data-source.js';
import { Store } from './store.js';
import { describeOnEngines } from './testing/engines.js';

const SERVER_START_MS = 120_000;

describeOnEngines('readiness: can the database still be written?', (databases) => {
  it('is writable when nothing stands in the way, and tells a failure of the database from a wrong query', async () => {
    const store = await openStore(await databases.fresh());
    try {
      expect(await store.unwritableReason(2000)).toBeNull();
      const mistaken = await store.dataSource.query('SELECT * FROM "no_such_table"').catch((error: unknown) => error);
      expect(Store.unavailableReason(mistaken)).toBeNull();
    } finally {
      await store.close();
    }
  });
});

describe('readiness on sqlite, locked by another process', () => {
  let dir: string;
  let path: string;
  let store: Store;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'imagelib-readiness-'));
    path = join(dir, 'imagelib.sqlite');
    store = await openStore({ sqlitePath: path });
  });

  afterEach(async () => {
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('says why while another process holds the write lock, and recovers once it lets go', async () => {
    const other = new Database(path);
    other.exec('BEGIN EXCLUSIVE');
    try {
      expect(await store.unwritableReason(300)).toMatch(/locked/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(await store.unwritableReason(6000)).toBeNull();
  });

  it('tells a failure of the database itself (locked) from any other failed query', async () => {
    const other = new Database(path);
    other.exec('BEGIN EXCLUSIVE');
    try {
      const locked = await store.write((manager) => manager.query('SELECT 1').then(() => manager.query('INSERT INTO "store_probe" ("id", "writtenAt") VALUES (2, 0)'))).catch((error: unknown) => error);
      expect(Store.unavailableReason(locked)).toMatch(/^SQLITE_BUSY: database is locked/);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
  });
});

describe('readiness on PostgreSQL, when the server goes away or turns read-only', () => {
  const binaries = postgresForTests('the PostgreSQL readiness tests');
  if (!binaries) {
    it('did not run: PostgreSQL is missing (warned above)', () => undefined);
    return;
  }

  /** Runs the test on a server of its own (killed or stopped by some), removed afterwards. */
  const onOwnServer = async (test: (server: PostgresServer) => Promise<void>): Promise<void> => {
    const server = await startPostgres({ binaries });
    try {
      await test(server);
    } finally {
      await server.stop();
    }
  };

  it('says why once the server is killed, and refuses to open on it naming the URL without its password', () =>
    onOwnServer(async (server) => {
      const url = await server.createDatabase('doomed');
      const store = await openStore({ postgresUrl: url });
      expect(await store.unwritableReason(2000)).toBeNull();
      await server.kill();
      // Depending on timing the pooled connection is reset, terminated, lost between statements, told by
      // a backend that saw the server die before it was killed itself (57P01), or a new one is refused.
      expect(await store.unwritableReason(10_000)).toMatch(/^(ECONNREFUSED: |ECONNRESET: |Connection terminated|the connection to the database was lost|57P01: terminating connection due to unexpected postmaster exit)/);
      expect(await store.unwritableReason(10_000)).toMatch(/^ECONNREFUSED: connect ECONNREFUSED 127\.0\.0\.1:\d+$/);
      await store.close();

      const password = decodeURIComponent(new URL(url).password);
      const refused = await openStore({ postgresUrl: url }).catch((error: unknown) => error as Error);
      expect(refused).toBeInstanceOf(Error);
      expect((refused as Error).message).toBe(`cannot open the database ${url.replace(`:${encodeURIComponent(password)}@`, '@')}: ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:${new URL(url).port}`);
      expect((refused as Error).message).not.toContain(password);
    }), SERVER_START_MS);

  it('tells the server stopping under a query (57P01) as a failure of the database', () =>
    onOwnServer(async (server) => {
      const store = await openStore({ postgresUrl: await server.createDatabase('stopping') });
      const started = store.dataSource.query('SELECT pg_sleep(60)').catch((error: unknown) => error);
      const running = () => store.dataSource.query(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE query = 'SELECT pg_sleep(60)' AND state = 'active'`) as Promise<{ n: number }[]>;
      for (let attempt = 0; attempt < 200 && (await running())[0]!.n === 0; attempt += 1) await new Promise((resolve) => setTimeout(resolve, 25));
      await server.stop();
      expect(Store.unavailableReason(await started)).toBe('57P01: terminating connection due to administrator command');
      await store.close();
    }), SERVER_START_MS);

  it('says why while the database is read-only (25006)', () =>
    onOwnServer(async (server) => {
      const options = { postgresUrl: await server.createDatabase('frozen') };
      let store = await openStore(options);
      await store.dataSource.query('ALTER DATABASE "frozen" SET default_transaction_read_only = on');
      await store.close();
      store = await openStore(options);
      expect(await store.unwritableReason(2000)).toBe('25006: cannot execute INSERT in a read-only transaction');
      await store.close();
    }), SERVER_START_MS);
});
