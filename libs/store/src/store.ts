import type { DataSource, EntityManager, EntityTarget, FindOptionsOrder, FindOptionsWhere, ObjectLiteral } from 'typeorm';
import { StoreProbeEntity } from './entities/store-probe.entity.js';
import { unavailableReason } from './unavailable-reason.js';

/** How `Store.lock` locks rows on PostgreSQL: FOR UPDATE, FOR NO KEY UPDATE, FOR SHARE. */
export type RowLock = 'pessimistic_write' | 'for_no_key_update' | 'pessimistic_read';

/**
 * The open database. Every write goes through `write`, which runs one transaction at a time, in
 * order: sqlite has one connection, TypeORM cannot run two transactions on it at once, and a write
 * issued while another transaction is open would silently become part of it. On PostgreSQL the
 * same holds within one controller, and other controllers write at the same time: repositories
 * lock what they read before they change it (`lock`), in READ COMMITTED, where each statement
 * after a lock sees everything committed before it was granted.
 */
export class Store {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(readonly dataSource: DataSource) {}

  get engine(): 'sqlite' | 'postgres' {
    return this.dataSource.options.type === 'postgres' ? 'postgres' : 'sqlite';
  }

  write<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    const run = this.queue.then(() => this.dataSource.transaction(work));
    this.queue = run.catch(() => undefined);
    return run;
  }

  /**
   * Locks the rows `where` selects until the transaction ends, on PostgreSQL, in primary-key order
   * (two writers locking the same rows then cannot deadlock). Nothing on sqlite, where `write`
   * already runs one transaction at a time and one process at a time may write.
   */
  async lock<E extends ObjectLiteral>(manager: EntityManager, entity: EntityTarget<E>, where: FindOptionsWhere<E>, mode: RowLock): Promise<void> {
    if (this.engine !== 'postgres') return;
    const order = Object.fromEntries(manager.connection.getMetadata(entity).primaryColumns.map((column) => [column.propertyName, 'ASC'])) as FindOptionsOrder<E>;
    await manager.find(entity, { where, order, lock: { mode } });
  }

  /**
   * Null when the database takes a write within `timeoutMs` (one row rewritten, committed);
   * otherwise why not: unreachable, read-only, locked by another process, out of space.
   */
  async unwritableReason(timeoutMs: number): Promise<string | null> {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<string>((resolve) => {
      timer = setTimeout(() => resolve(`no write committed within ${timeoutMs} ms (locked by another process, a stalled disk, or a server that does not answer)`), timeoutMs);
    });
    // An upsert without a read first: a read would make sqlite refuse at once instead of waiting for the lock.
    const upsert = (manager: EntityManager) => manager.createQueryBuilder().insert().into(StoreProbeEntity).values({ id: 1, writtenAt: Date.now() }).orUpdate(['writtenAt'], ['id']).execute();
    const probe = this.write(upsert).then(
      () => null,
      (error: unknown) => Store.unavailableReason(error) ?? (error instanceof Error ? error.message : String(error)),
    );
    try {
      return await Promise.race([probe, late]);
    } finally {
      clearTimeout(timer);
    }
  }

  /**
   * Why a failed query failed for want of a usable database (see `unavailableReason`), or null for
   * any other error. Such a failure is the database's state, not the request's fault: callers answer
   * "unavailable" and may retry later.
   */
  static unavailableReason(error: unknown): string | null {
    return unavailableReason(error);
  }

  async close(): Promise<void> {
    await this.queue;
    await this.dataSource.destroy();
  }
}
