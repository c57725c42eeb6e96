import { type ChildProcess, execFile, execFileSync, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chownSync, closeSync, existsSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const POSTGRES_ROOT = '/usr/lib/postgresql';
const USER = 'imagelib';
const POLL_MS = 50;
const LOG_TAIL_LINES = 30;
/** Durability off (a test server's data is thrown away), and small: tests share two cores. */
const TEST_SETTINGS = { fsync: 'off', synchronous_commit: 'off', full_page_writes: 'off', shared_buffers: '16MB', max_connections: '60' };

/** Debian's PostgreSQL programs, of the newest version installed. */
export interface PostgresBinaries {
  initdb: string;
  postgres: string;
  createdb: string;
}

/** A throwaway PostgreSQL server, for tests. */
export interface PostgresServer {
  /** The server's `postgres` database, with user and password: `postgres://imagelib:…@127.0.0.1:port/postgres`. */
  readonly url: string;
  /** Creates an empty database (a fresh one per suite or per test) and returns its URL. */
  createDatabase(name: string): Promise<string>;
  /** Fast shutdown (SIGINT: open sessions are terminated with 57P01), then the directory is removed. Also after kill(). */
  stop(): Promise<void>;
  /** SIGKILL to the server and every backend at once, as a crash would; resolves once the server is gone. stop() still removes the directory. */
  kill(): Promise<void>;
}

/** The newest PostgreSQL under /usr/lib/postgresql with initdb, postgres and createdb, or null. */
export function findPostgresBinaries(root = POSTGRES_ROOT): PostgresBinaries | null {
  const versions = existsSync(root) ? readdirSync(root).filter((name) => /^\d+$/.test(name)).sort((a, b) => Number(b) - Number(a)) : [];
  for (const version of versions) {
    const bin = join(root, version, 'bin');
    const binaries = { initdb: join(bin, 'initdb'), postgres: join(bin, 'postgres'), createdb: join(bin, 'createdb') };
    if (Object.values(binaries).every((path) => existsSync(path))) return binaries;
  }
  return null;
}

/**
 * The PostgreSQL binaries when installed. Otherwise: with CI=true this throws (the tests fail saying
 * PostgreSQL is missing); without CI it says loudly that `what` did not run and returns null.
 */
export function postgresForTests(what: string, env: NodeJS.ProcessEnv = process.env, root = POSTGRES_ROOT): PostgresBinaries | null {
  const binaries = findPostgresBinaries(root);
  if (binaries) return binaries;
  const missing = `PostgreSQL is missing (no ${root}/*/bin/postgres; apt-get install postgresql, as .ci/run does)`;
  if (env.CI === 'true') throw new Error(`${missing}: ${what} cannot run`);
  console.warn(`\n*** ${missing}: ${what} DID NOT RUN ***\n`);
  return null;
}

/**
 * Starts PostgreSQL in a fresh temporary directory: 127.0.0.1 on a free port and a unix socket in
 * that directory, password authentication over TCP (the password is generated), fsync off. As root
 * the server runs as the unprivileged `postgres` user that Debian's package creates (initdb refuses
 * root). The server gets SIGKILL when this process dies (PR_SET_PDEATHSIG) and on exit.
 * `settings` are passed as `-c name=value`.
 */
export async function startPostgres(options: { binaries?: PostgresBinaries; startTimeoutMs?: number; settings?: Record<string, string> } = {}): Promise<PostgresServer> {
  const binaries = options.binaries ?? findPostgresBinaries();
  if (!binaries) throw new Error(`PostgreSQL is missing: no ${POSTGRES_ROOT}/*/bin/postgres (apt-get install postgresql)`);
  const owner = serverUser();
  const dir = mkdtempSync(join(tmpdir(), 'imagelib-pg-'));
  const data = join(dir, 'data');
  const logFile = join(dir, 'server.log');
  const password = randomBytes(18).toString('base64url');
  const removeDir = () => rmSync(dir, { recursive: true, force: true });
  try {
    writeFileSync(join(dir, 'password'), `${password}\n`, { mode: 0o600 });
    if (owner) for (const path of [dir, join(dir, 'password')]) chownSync(path, owner.uid, owner.gid);
    const asOwner = owner ? ['setpriv', `--reuid=${owner.uid}`, `--regid=${owner.gid}`, '--init-groups', '--'] : [];
    run([...asOwner, binaries.initdb, '-D', data, '-U', USER, `--pwfile=${join(dir, 'password')}`, '--auth-local=trust', '--auth-host=scram-sha-256', '-E', 'UTF8', '--no-locale', '--no-sync', '--no-instructions']);
  } catch (error) {
    removeDir();
    throw error;
  }

  const port = await freePort();
  const log = openSync(logFile, 'a');
  const [command, ...args] = [
    'setpriv',
    ...(owner ? [`--reuid=${owner.uid}`, `--regid=${owner.gid}`, '--init-groups'] : []),
    '--pdeathsig=KILL',
    '--',
    binaries.postgres,
    ...['-D', data, '-k', dir, '-h', '127.0.0.1', '-p', String(port)],
    ...Object.entries({ ...TEST_SETTINGS, ...options.settings }).flatMap(([name, value]) => ['-c', `${name}=${value}`]),
  ];
  // Its own process group: kill() reaches the backends too, as a crash of the machine would.
  const child = spawn(command!, args, { stdio: ['ignore', log, log], detached: true });
  closeSync(log);
  const killGroup = () => signal(child, 'SIGKILL', { group: true });
  const onExit = () => {
    killGroup();
    removeDir();
  };
  process.once('exit', onExit);
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });

  const server: PostgresServer = {
    url: urlOf(password, port, 'postgres'),
    async createDatabase(name) {
      if (!/^[a-z_][a-z0-9_]{0,62}$/.test(name)) throw new Error(`not a plain database name: ${name}`);
      await promisify(execFile)(binaries.createdb, ['-h', dir, '-p', String(port), '-U', USER, name]);
      return urlOf(password, port, name);
    },
    async stop() {
      signal(child, 'SIGINT');
      const timeout = setTimeout(killGroup, 15_000);
      await exited;
      clearTimeout(timeout);
      process.removeListener('exit', onExit);
      removeDir();
    },
    async kill() {
      killGroup();
      await exited;
    },
  };

  const startTimeoutMs = options.startTimeoutMs ?? 60_000;
  const deadline = Date.now() + startTimeoutMs;
  let gone = false;
  void exited.then(() => (gone = true));
  while (!isReady(data)) {
    if (gone || Date.now() > deadline) {
      const tail = logTail(logFile);
      await server.stop();
      throw new Error(`PostgreSQL ${gone ? 'exited while starting' : `was not ready within ${startTimeoutMs} ms`} (port ${port}); its log ends:\n${tail}`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
  return server;
}

/** The user the server runs as when this process is root; null when it may run as this process's user. */
function serverUser(): { uid: number; gid: number } | null {
  if (process.getuid?.() !== 0) return null;
  try {
    return { uid: Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' })), gid: Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' })) };
  } catch {
    throw new Error('running as root, PostgreSQL must run as an unprivileged user, and there is no "postgres" user (apt-get install postgresql creates it)');
  }
}

function run(argv: string[]): void {
  const [command, ...args] = argv;
  try {
    execFileSync(command!, args, { stdio: ['ignore', 'pipe', 'pipe'], encoding: 'utf8', timeout: 120_000 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${argv.join(' ')} failed: ${`${stdout ?? ''}${stderr ?? ''}`.trim() || String(error)}`, { cause: error });
  }
}

/** postmaster.pid's eighth line is the server's state; "ready" once it accepts connections. */
function isReady(data: string): boolean {
  try {
    return readFileSync(join(data, 'postmaster.pid'), 'utf8').split('\n')[7]?.trim() === 'ready';
  } catch {
    return false;
  }
}

/** To the server (the postmaster), or with `group` to it and every backend. */
function signal(child: ChildProcess, name: NodeJS.Signals, { group = false } = {}): void {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
  try {
    process.kill(group ? -child.pid : child.pid, name);
  } catch {
    // already gone
  }
}

function urlOf(password: string, port: number, database: string): string {
  return `postgres://${USER}:${encodeURIComponent(password)}@127.0.0.1:${port}/${database}`;
}

function logTail(path: string): string {
  try {
    return readFileSync(path, 'utf8').trimEnd().split('\n').slice(-LOG_TAIL_LINES).join('\n');
  } catch {
    return '(no log)';
  }
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}
