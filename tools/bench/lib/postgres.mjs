// A throwaway PostgreSQL for a benchmark (libs/testbed's startPostgres, Debian's binaries) and
// what it costs: pg_stat_database counters, backends, and the CPU of the server's processes.
import { startPostgres } from '@imagelib/testbed';
import pg from 'pg';
import { childrenOf, cpuTimeMs, cpuTimeWithChildrenMs, memory, parentOf } from './proc.mjs';

/**
 * Durable, as an operator's server would be (the test bed's defaults turn fsync off): fsync and
 * synchronous commits on; room for several controllers' pools.
 */
export const BENCH_POSTGRES_SETTINGS = { fsync: 'on', synchronous_commit: 'on', full_page_writes: 'on', shared_buffers: '128MB', max_connections: '100' };

const COUNTERS = ['xact_commit', 'xact_rollback', 'tup_inserted', 'tup_updated', 'tup_deleted', 'tup_fetched', 'blks_read', 'blks_hit'];

/**
 * Starts PostgreSQL with BENCH_POSTGRES_SETTINGS and creates `database`.
 * Returns { url, postmasterPid, snapshot(), stop() }; the test bed kills the server when the bench exits.
 */
export async function startBenchPostgres(database = 'imagelib_bench') {
  const server = await startPostgres({ settings: BENCH_POSTGRES_SETTINGS });
  const url = await server.createDatabase(database);
  // The bench's own session: its backend's parent is the postmaster.
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000, query_timeout: 10_000 });
  await client.connect();
  const { rows } = await client.query('SELECT pg_backend_pid() AS pid');
  const ownBackend = Number(rows[0].pid);
  const postmasterPid = parentOf(ownBackend);

  /**
   * The database's counters (pg_stat_database; PostgreSQL publishes them with a short delay),
   * its backends other than this session, and the server's CPU so far: the postmaster with its
   * reaped children plus every live child (backends, checkpointer, walwriter, ...), in ms.
   */
  const snapshot = async () => {
    const stats = await client.query(`SELECT ${COUNTERS.join(', ')}, numbackends FROM pg_stat_database WHERE datname = $1`, [database]);
    const row = stats.rows[0] ?? {};
    const backends = await client.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()', [database]);
    const children = childrenOf(postmasterPid);
    return {
      at: performance.now(),
      counters: Object.fromEntries(COUNTERS.map((name) => [name, Number(row[name] ?? NaN)])),
      backends: backends.rows[0].n,
      cpuMs: (cpuTimeWithChildrenMs(postmasterPid) ?? 0) + children.reduce((sum, pid) => sum + (cpuTimeMs(pid) ?? 0), 0),
      rssBytes: [postmasterPid, ...children].reduce((sum, pid) => sum + (memory(pid)?.rss || 0), 0),
      processes: children.length + 1,
    };
  };

  const stop = async () => {
    await client.end().catch(() => {});
    await server.stop();
  };
  return { url, postmasterPid, snapshot, stop };
}

/** Per-second rates between two snapshots, the server's CPU as % of one core, and the backends at the end. */
export function databaseLoad(before, after) {
  const seconds = (after.at - before.at) / 1000;
  const rate = (name) => (after.counters[name] - before.counters[name]) / seconds;
  return {
    seconds,
    commitsPerS: rate('xact_commit'),
    rollbacksPerS: rate('xact_rollback'),
    tupleWritesPerS: rate('tup_inserted') + rate('tup_updated') + rate('tup_deleted'),
    tupInsertedPerS: rate('tup_inserted'),
    tupUpdatedPerS: rate('tup_updated'),
    tupDeletedPerS: rate('tup_deleted'),
    tupFetchedPerS: rate('tup_fetched'),
    blksReadPerS: rate('blks_read'),
    blksHitPerS: rate('blks_hit'),
    cpuPctOneCore: ((after.cpuMs - before.cpuMs) / (after.at - before.at)) * 100,
    backends: after.backends,
  };
}
