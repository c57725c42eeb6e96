import { afterAll, beforeAll, describe, it } from '@jest/globals';
import { postgresForTests, type PostgresServer, startPostgres } from '@imagelib/testbed';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StoreOptions } from '../data-source.js';

export type EngineName = 'sqlite' | 'postgres';

/** Databases of one engine for a suite. */
export interface TestDatabases {
  readonly engine: EngineName;
  /** Where a fresh, empty database is: a new sqlite file, or a new database on the suite's PostgreSQL server. */
  fresh(): Promise<StoreOptions>;
  /** The suite's PostgreSQL server (null on sqlite). */
  readonly server: PostgresServer | null;
}

/** Starting a server on a loaded machine: initdb and the first checkpoint. */
const SERVER_START_MS = 120_000;

/**
 * Declares the suite once per engine: on sqlite, and on a PostgreSQL server of its own started for
 * it (Debian's binaries). Without those binaries the PostgreSQL half says loudly that it did not
 * run, and fails under CI=true.
 */
export function describeOnEngines(title: string, suite: (databases: TestDatabases) => void, engines: readonly EngineName[] = ['sqlite', 'postgres']): void {
  for (const engine of engines) {
    describe(`${title} (${engine})`, () => {
      if (engine === 'sqlite') sqliteSuite(suite);
      else postgresSuite(title, suite);
    });
  }
}

function sqliteSuite(suite: (databases: TestDatabases) => void): void {
  let dir = '';
  let count = 0;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'imagelib-store-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  suite({ engine: 'sqlite', server: null, fresh: async () => ({ sqlitePath: join(dir, `store-${++count}.sqlite`) }) });
}

function postgresSuite(title: string, suite: (databases: TestDatabases) => void): void {
  const binaries = postgresForTests(`"${title}" on PostgreSQL`);
  if (!binaries) {
    it('did not run: PostgreSQL is missing (warned above)', () => undefined);
    return;
  }
  let server: PostgresServer | null = null;
  let count = 0;
  beforeAll(async () => {
    server = await startPostgres({ binaries });
  }, SERVER_START_MS);
  afterAll(async () => {
    await server?.stop();
  });
  suite({
    engine: 'postgres',
    get server() {
      return server;
    },
    fresh: async () => ({ postgresUrl: await server!.createDatabase(`store_${++count}`) }),
  });
}
