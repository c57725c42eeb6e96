import { describe, expect, it } from '@jest/globals';
import { QueryFailedError, QueryRunnerAlreadyReleasedError } from 'typeorm';
import { unavailableReason } from './unavailable-reason.js';

/** An error as node-postgres or better-sqlite3 raise it: a message and maybe a code. */
function driverError(message: string, code?: string): Error {
  return Object.assign(new Error(message), code === undefined ? {} : { code });
}

const failedQuery = (error: Error) => new QueryFailedError('INSERT …', [], error);

describe('unavailableReason: the database cannot be used now, or the statement was wrong?', () => {
  it('recognises sqlite locked, read-only, full and unopenable databases', () => {
    expect(unavailableReason(failedQuery(driverError('database is locked', 'SQLITE_BUSY')))).toBe('SQLITE_BUSY: database is locked');
    expect(unavailableReason(failedQuery(driverError('attempt to write a readonly database', 'SQLITE_READONLY_DBMOVED')))).toBe('SQLITE_READONLY_DBMOVED: attempt to write a readonly database');
    expect(unavailableReason(driverError('unable to open database file', 'SQLITE_CANTOPEN'))).toBe('SQLITE_CANTOPEN: unable to open database file');
    expect(unavailableReason(failedQuery(driverError('database or disk is full', 'SQLITE_FULL')))).toBe('SQLITE_FULL: database or disk is full');
  });

  it.each([
    ['08006', 'connection failure'],
    ['08001', 'could not connect to server'],
    ['53100', 'could not extend file "base/16384/16385": No space left on device'],
    ['53300', 'sorry, too many clients already'],
    ['57P01', 'terminating connection due to administrator command'],
    ['57P02', 'terminating connection because of crash of another server process'],
    ['57P03', 'the database system is starting up'],
    ['25006', 'cannot execute INSERT in a read-only transaction'],
    ['55P03', 'canceling statement due to lock timeout'],
    ['58030', 'could not write to file: Input/output error'],
  ])('recognises PostgreSQL %s (%s)', (code, message) => {
    expect(unavailableReason(failedQuery(driverError(message, code)))).toBe(`${code}: ${message}`);
  });

  it('recognises a server that cannot be reached, or a connection lost', () => {
    expect(unavailableReason(driverError('connect ECONNREFUSED 127.0.0.1:5432', 'ECONNREFUSED'))).toBe('ECONNREFUSED: connect ECONNREFUSED 127.0.0.1:5432');
    expect(unavailableReason(failedQuery(driverError('read ECONNRESET', 'ECONNRESET')))).toBe('ECONNRESET: read ECONNRESET');
    expect(unavailableReason(driverError('getaddrinfo ENOTFOUND db.example', 'ENOTFOUND'))).toBe('ENOTFOUND: getaddrinfo ENOTFOUND db.example');
    const everyAddress = Object.assign(new AggregateError([new Error('connect ECONNREFUSED ::1:5432'), new Error('connect ECONNREFUSED 127.0.0.1:5432')], ''), { code: 'ECONNREFUSED' });
    expect(unavailableReason(everyAddress)).toBe('ECONNREFUSED: connect ECONNREFUSED ::1:5432; connect ECONNREFUSED 127.0.0.1:5432');
    expect(unavailableReason(failedQuery(driverError('Connection terminated unexpectedly')))).toBe('Connection terminated unexpectedly');
    expect(unavailableReason(driverError('timeout exceeded when trying to connect'))).toBe('timeout exceeded when trying to connect');
    expect(unavailableReason(new QueryRunnerAlreadyReleasedError())).toMatch(/^the connection to the database was lost during the transaction \(/);
  });

  it('leaves every other failure to the caller', () => {
    expect(unavailableReason(failedQuery(driverError('duplicate key value violates unique constraint "UQ_hosts_hostname"', '23505')))).toBeNull();
    expect(unavailableReason(failedQuery(driverError('relation "no_such_table" does not exist', '42P01')))).toBeNull();
    expect(unavailableReason(failedQuery(driverError('UNIQUE constraint failed: hosts.hostname', 'SQLITE_CONSTRAINT_UNIQUE')))).toBeNull();
    expect(unavailableReason(failedQuery(driverError('syntax error at or near "SELEC"', '42601')))).toBeNull();
    expect(unavailableReason(new Error('refused'))).toBeNull();
    expect(unavailableReason(null)).toBeNull();
    expect(unavailableReason('a string')).toBeNull();
  });
});
