import { QueryFailedError, QueryRunnerAlreadyReleasedError } from 'typeorm';

/** sqlite result codes (and their extended codes) that mean the database cannot be used right now. */
const SQLITE_CODES = ['SQLITE_BUSY', 'SQLITE_LOCKED', 'SQLITE_READONLY', 'SQLITE_IOERR', 'SQLITE_FULL', 'SQLITE_CANTOPEN'];

/**
 * PostgreSQL SQLSTATEs (two characters: the whole class) that say the server cannot serve now rather
 * than that the statement was wrong: connection exceptions (08), insufficient resources (53, e.g.
 * 53100 disk full), a read-only transaction (25006, a standby or a read-only server), a lock wait
 * that timed out (55P03, the session's lock_timeout), an I/O error (58030), and shutting down or
 * starting up (57P01, 57P02, 57P03).
 */
const POSTGRES_STATES = ['08', '53', '25006', '55P03', '58030', '57P01', '57P02', '57P03'];

/** Socket and name-resolution failures on the way to a PostgreSQL server. */
const NETWORK_CODES = ['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ENOTFOUND', 'EAI_AGAIN'];

/** node-postgres' own errors for a connection lost or never made: they carry no code. */
const LOST_CONNECTION = /^(Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error|Client was closed)/;

interface DriverError {
  code?: unknown;
  message?: unknown;
  errors?: unknown;
}

/**
 * Why a failed query failed for want of a usable database, or null for any other error: sqlite
 * locked by another process, read-only, out of space, an I/O error, cannot be opened; PostgreSQL
 * unreachable, connection lost (also between two statements of a transaction), shutting down, out
 * of resources, read-only, a lock not granted in time.
 */
export function unavailableReason(error: unknown): string | null {
  // TypeORM releases a transaction's connection when it fails, so the next statement finds it released.
  if (error instanceof QueryRunnerAlreadyReleasedError) return `the connection to the database was lost during the transaction (${error.message})`;
  const driverError = (error instanceof QueryFailedError ? error.driverError : error) as DriverError | null;
  const code = typeof driverError?.code === 'string' ? driverError.code : '';
  const message = messageOf(driverError);
  const unavailable =
    SQLITE_CODES.some((prefix) => code.startsWith(prefix)) ||
    (/^[0-9A-Z]{5}$/.test(code) && POSTGRES_STATES.some((state) => code.startsWith(state))) ||
    NETWORK_CODES.includes(code) ||
    (code === '' && LOST_CONNECTION.test(message));
  if (!unavailable) return null;
  return code ? `${code}: ${message || 'database unavailable'}` : message;
}

/** The message, or those of an AggregateError's errors (a refused connection to each address of a name has none of its own). */
function messageOf(error: DriverError | null): string {
  if (typeof error?.message === 'string' && error.message !== '') return error.message;
  if (!Array.isArray(error?.errors)) return '';
  return (error.errors as DriverError[]).map((inner) => (typeof inner?.message === 'string' ? inner.message : '')).filter(Boolean).join('; ');
}
