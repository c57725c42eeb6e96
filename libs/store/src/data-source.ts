import 'reflect-metadata';
import { DataSource, type EntityManager } from 'typeorm';
import { CatalogStateEntity } from './entities/catalog-state.entity.js';
import { HostCredentialEntity } from './entities/host-credential.entity.js';
import { HostRoleEntity } from './entities/host-role.entity.js';
import { HostEntity } from './entities/host.entity.js';
import { ImageHostStatusEntity } from './entities/image-host-status.entity.js';
import { ImageEntity } from './entities/image.entity.js';
import { JoinTokenEntity } from './entities/join-token.entity.js';
import { OperatorTokenEntity } from './entities/operator-token.entity.js';
import { SQLITE_MIGRATIONS } from './migrations/sqlite/index.js';

export const ENTITIES = [HostEntity, HostRoleEntity, HostCredentialEntity, JoinTokenEntity, OperatorTokenEntity, ImageEntity, ImageHostStatusEntity, CatalogStateEntity];

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

  /** True when the database answers a trivial query. */
  async isReachable(): Promise<boolean> {
    try {
      await this.dataSource.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
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
    // Wait for a writer from another process rather than failing at once.
    timeout: 5000,
    entities: ENTITIES,
    migrations: SQLITE_MIGRATIONS,
    migrationsRun: false,
    synchronize: false,
    logging: ['error'],
  });
  await dataSource.initialize();
  await dataSource.runMigrations({ transaction: 'each' });
  return new Store(dataSource);
}
