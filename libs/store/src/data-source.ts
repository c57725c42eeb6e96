import 'reflect-metadata';
import { DataSource, type EntityManager, QueryFailedError } from 'typeorm';
import { CatalogStateEntity } from './entities/catalog-state.entity.js';
import { HostCredentialEntity } from './entities/host-credential.entity.js';
import { HostRoleEntity } from './entities/host-role.entity.js';
import { HostEntity } from './entities/host.entity.js';
import { ImageHostStatusEntity } from './entities/image-host-status.entity.js';
import { ImageEntity } from './entities/image.entity.js';
import { JoinTokenEntity } from './entities/join-token.entity.js';
import { OperatorTokenEntity } from './entities/operator-token.entity.js';
import { StoreProbeEntity } from './entities/store-probe.entity.js';
import { SQLITE_MIGRATIONS } from './migrations/sqlite/index.js';

export const ENTITIES = [HostEntity, HostRoleEntity, HostCredentialEntity, JoinTokenEntity, OperatorTokenEntity, ImageEntity, ImageHostStatusEntity, CatalogStateEntity, StoreProbeEntity];

/** sqlite result codes (and their extended codes) that mean the database cannot be used right now. */
const UNAVAILABLE_SQLITE_CODES = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_READONLY', 'SQLITE_IOERR', 'SQLITE_FULL', 'SQLITE_CANTOPEN'];

export interface StoreOptions {
  /** Path of the sqlite database file. */
  sqlitePath: string;
}

/**
 * The open database. sqlite has one connection: TypeORM cannot run two transactions on it at once,
 * and a write issued while another transaction is open would silently become part of it. So every
 * write goes through `write`, which runs one transaction at a time, in order.
 */
export class Store {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly dataSource: DataSource) {}

  write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const run = this.queue.then(() => this.dataSource.transaction(work));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Null when the database takes a write within `timeoutMs` (one row rewritten, committed);
   * otherwise why not: unreachable, read-only, locked by another process, out of space.
   */
  async unwritableReason(timeoutMs: number): Promise<string | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`no write committed within ${timeoutMs} ms (locked by another process, or the disk is stalled)`), timeoutMs);
    });
    // An upsert without a read first: a read would make sqlite refuse at once instead of waiting for the lock.
    const upsert = (manager: EntityManager) => manager.createQueryBuilder().insert().into(StoreProbeEntity).values({ id: 1, writtenAt: Date.now() }).orUpdate(['writtenAt'], ['id']).execute();
    const probe = this.write(upsert).then(
      () => null,
      (error: unknown) => (error instanceof Error ? error.message : String(error)),
    );
    try {
      return await Promise.race([probe, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Why a failed query failed for want of a usable database (locked by another process, read-only,
   * out of space, an I/O error, cannot be opened), or null for any other error. Such a failure is the
   * database's state, not the request's fault: callers answer "unavailable" and may retry later.
   */
  static unavailableReason(error: unknown): string | null {
    const driverError = error instanceof QueryFailedError ? (error.driverError as { code?: unknown; message?: unknown }) : (error as { code?: unknown; message?: unknown } | null);
    const code = typeof driverError?.code === 'string' ? driverError.code : '';
    if (!UNAVAILABLE_SQLITE_CODES.some((prefix) => code.startsWith(prefix))) return null;
    return `${code}: ${typeof driverError?.message === 'string' ? driverError.message : 'database unavailable'}`;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.dataSource.destroy();
  }
}

/** Opens the database and runs pending migrations. Schema is never synchronised from entities. */
export async function openStore(options: StoreOptions): Promise<Store> {
  const dataSource = new DataSource({
    type: 'better-sqlite3',
    database: options.sqlitePath,
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
  try {
    await dataSource.initialize();
  } catch (error) {
    const why = Store.unavailableReason(error) ?? (error instanceof Error ? error.message : String(error));
    throw new Error(`cannot open the database ${options.sqlitePath}: ${why} (its directory must be writable: sqlite keeps its -wal and -shm files beside it)`, { cause: error });
  }
  await dataSource.runMigrations({ transaction: 'each' });
  return new Store(dataSource);
}
