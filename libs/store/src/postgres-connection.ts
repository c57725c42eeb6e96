import pg from 'pg';

/** timestamp (without time zone), which entity columns of type Date become on PostgreSQL. */
const TIMESTAMP_OID = 1114;

/**
 * Set for every session. Entities' Date columns are sqlite's datetime (UTC text) and PostgreSQL's
 * timestamp, which holds no zone: they hold UTC here too, whatever the zone of the server and of each
 * controller. A lock wait ends after 5 s (as sqlite's busy timeout does: the caller answers
 * "unavailable"), and a session idle inside a transaction (a frozen controller holding locks) is
 * ended by the server after 30 s.
 */
const SESSION_SETTINGS = '-c TimeZone=UTC -c lock_timeout=5000 -c idle_in_transaction_session_timeout=30000';

/** Connecting gives up after this long (an unreachable server fails start-up and readiness instead of hanging). */
export const CONNECT_TIMEOUT_MS = 5000;

/** The URL as node-postgres should get it: the session settings added to any `options` it has. */
export function withSessionSettings(url: string): string {
  const parsed = new URL(url);
  parsed.searchParams.set('options', [parsed.searchParams.get('options'), SESSION_SETTINGS].filter(Boolean).join(' '));
  return parsed.toString();
}

/**
 * Date parameters are sent as UTC. node-postgres has this as a process-wide default only (it sends
 * local time otherwise, which a timestamp column would keep as it is); nothing else in the controller
 * talks to PostgreSQL.
 */
export function sendDatesAsUtc(): void {
  pg.defaults.parseInputDatesAsUTC = true;
}

/** Type parsers for the pool: timestamps read as UTC, everything else as node-postgres reads it. */
export const UTC_TIMESTAMPS = {
  getTypeParser: ((oid: number, format?: 'text' | 'binary') =>
    oid === TIMESTAMP_OID && format !== 'binary' ? (text: string) => new Date(`${text.replace(' ', 'T')}Z`) : pg.types.getTypeParser(oid, format)) as typeof pg.types.getTypeParser,
};

/** The URL with its password left out (in the user part or the query), fit for messages and logs. */
export function urlWithoutPassword(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = '';
    parsed.searchParams.delete('password');
    parsed.searchParams.delete('sslpassword');
    return parsed.toString();
  } catch {
    return '(a database URL that does not parse)';
  }
}
