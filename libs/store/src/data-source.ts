import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { CatalogStateEntity } from './entities/catalog-state.entity.js';
import { ClusterSecretEntity } from './entities/cluster-secret.entity.js';
import { HostCredentialEntity } from './entities/host-credential.entity.js';
import { HostRoleEntity } from './entities/host-role.entity.js';
import { HostEntity } from './entities/host.entity.js';
import { ImageHostStatusEntity } from './entities/image-host-status.entity.js';
import { ImageEntity } from './entities/image.entity.js';
import { JoinTokenEntity } from './entities/join-token.entity.js';
import { OperatorTokenEntity } from './entities/operator-token.entity.js';
import { StoreProbeEntity } from './entities/store-probe.entity.js';
import { POSTGRES_MIGRATIONS } from './migrations/postgres/index.js';
import { SQLITE_MIGRATIONS } from './migrations/sqlite/index.js';
import { CONNECT_TIMEOUT_MS, sendDatesAsUtc, UTC_TIMESTAMPS, urlWithoutPassword, withSessionSettings } from './postgres-connection.js';
import { Store } from './store.js';
import { unavailableReason } from './unavailable-reason.js';

export const ENTITIES = [HostEntity, HostRoleEntity, HostCredentialEntity, JoinTokenEntity, OperatorTokenEntity, ImageEntity, ImageHostStatusEntity, CatalogStateEntity, StoreProbeEntity, ClusterSecretEntity];

/** Where the database is: a sqlite file, or a PostgreSQL server (`postgres://` or `postgresql://` URL). */
export type StoreOptions = { sqlitePath: string } | { postgresUrl: string };

/** Connections per controller: writes take one at a time (Store.write), reads the others. */
const POSTGRES_POOL_SIZE = 10;

/** The advisory lock held while migrations run on PostgreSQL. */
const MIGRATION_LOCK_KEY = 7_420_315_525;

/** Opens the database and runs pending migrations. Schema is never synchronised from entities. */
export async function openStore(options: StoreOptions): Promise<Store> {
  return 'postgresUrl' in options ? openPostgres(options.postgresUrl) : openSqlite(options.sqlitePath);
}

async function openSqlite(path: string): Promise<Store> {
  const dataSource = new DataSource({
    type: 'better-sqlite3',
    database: path,
    enableWAL: true,
    // In WAL mode, NORMAL syncs the log at checkpoints rather than at every commit: a committed
    // transaction survives the controller being killed (it is in the log, which the OS keeps), and
    // the database stays consistent through a power loss, which may take back the last commits
    // (the hosts then reload the catalog: their copy is ahead of it). FULL made every catalog write
    // wait for an fsync, milliseconds each under load, for that one case.
    prepareDatabase: (database: { pragma: (source: string) => unknown }) => {
      database.pragma('synchronous = NORMAL');
    },
    // Wait for a writer from another process rather than failing at once.
    timeout: 5000,
    entities: ENTITIES,
    migrations: SQLITE_MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    logging: ['error'],
  });
  await initialize(dataSource, path, ' (its directory must be writable: sqlite keeps its -wal and -shm files beside it)');
  await dataSource.runMigrations({ transaction: 'each' });
  return new Store(dataSource);
}

async function openPostgres(url: string): Promise<Store> {
  sendDatesAsUtc();
  const dataSource = new DataSource({
    type: 'postgres',
    // node-postgres parses the URL (user, password, host or socket, sslmode, options, …).
    url: withSessionSettings(url),
    poolSize: POSTGRES_POOL_SIZE,
    connectTimeoutMS: CONNECT_TIMEOUT_MS,
    extra: { types: UTC_TIMESTAMPS, keepAlive: true },
    entities: ENTITIES,
    migrations: POSTGRES_MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    logging: ['error'],
  });
  await initialize(dataSource, urlWithoutPassword(url), '');
  try {
    await migrateOneAtATime(dataSource);
  } catch (error) {
    await dataSource.destroy();
    throw error;
  }
  return new Store(dataSource);
}

/** Runs pending migrations holding a session lock, so that controllers starting together migrate one after another. */
async function migrateOneAtATime(dataSource: DataSource): Promise<void> {
  const session = dataSource.createQueryRunner();
  try {
    await session.query('SELECT pg_advisory_lock($1)', [MIGRATION_LOCK_KEY]);
    await dataSource.runMigrations({ transaction: 'each' });
    // A connection lost meanwhile took the lock with it.
    await session.query('SELECT pg_advisory_unlock($1)', [MIGRATION_LOCK_KEY]).catch(() => undefined);
  } finally {
    await session.release();
  }
}

async function initialize(dataSource: DataSource, shownAs: string, hint: string): Promise<void> {
  try {
    await dataSource.initialize();
  } catch (error) {
    const why = unavailableReason(error) ?? (error instanceof Error ? error.message : String(error));
    throw new Error(`cannot open the database ${shownAs}: ${why}${hint}`, { cause: error });
  }
}
