import type { EntityManager } from 'typeorm';

/**
 * The rows of a raw statement, on either engine. Statements are written with `?` placeholders (and
 * no `?` in literals), which PostgreSQL wants numbered ($1, $2, …). Rows come from the structured
 * result: on PostgreSQL TypeORM's plain result of an UPDATE … RETURNING is [rows, count].
 */
export async function rows<T>(manager: EntityManager, sql: string, parameters: readonly unknown[] = []): Promise<T[]> {
  const text = manager.connection.driver.options.type === 'postgres' ? numbered(sql) : sql;
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  try {
    return ((await runner.query(text, [...parameters], true)).records ?? []) as T[];
  } finally {
    if (!manager.queryRunner) await runner.release();
  }
}

function numbered(sql: string): string {
  let index = 0;
  return sql.replace(/\?/g, () => `$${++index}`);
}
