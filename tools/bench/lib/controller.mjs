// Starts a fresh controller (its own temp data dir, free ports on 127.0.0.1) for a benchmark.
import { spawn } from 'node:child_process';
import { createWriteStream, existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { stopChild, track, trackTempDir, untrackTempDir } from './children.mjs';

export const REPO_ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const CONTROLLER_MAIN = join(REPO_ROOT, 'apps/controller/dist/main.js');

const MAX_LOG_SAMPLES = 30;
/** Where the controllers' whole logs are kept (outside the repository). */
export const LOG_DIR = join(tmpdir(), 'imagelib-bench-logs');

/** A free TCP port on 127.0.0.1 (bound then released: a small race, acceptable for a bench). */
export function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Starts the controller (in a fresh temporary data directory) and waits until /healthz answers 200
 * (bounded by startTimeoutMs). nodeArgs go to node itself (e.g. --cpu-prof, for a closer look).
 * The admin token is read from the data directory's admin-token file unless `adminToken` is given
 * (a controller joining a cluster on PostgreSQL whose token another controller created and wrote).
 * Returns { pid, child, dataDir, httpUrl, grpcAddress, adminToken, caPath, api(), log, stop() }.
 */
export async function startController({ env = {}, startTimeoutMs = 60_000, logLevel = 'warn', nodeArgs = [], adminToken: givenAdminToken } = {}) {
  if (!existsSync(CONTROLLER_MAIN)) {
    throw new Error(`${CONTROLLER_MAIN} is missing: build the controller first (npx tsc -p apps/controller/tsconfig.build.json)`);
  }
  const dataDir = await mkdtemp(join(tmpdir(), 'imagelib-bench-'));
  trackTempDir(dataDir);
  const httpPort = await freePort();
  const grpcPort = await freePort();
  const child = track(
    spawn(process.execPath, [...nodeArgs, CONTROLLER_MAIN], {
      cwd: REPO_ROOT,
      env: {
        ...process.env,
        IMAGELIB_DATA_DIR: dataDir,
        IMAGELIB_HTTP_HOST: '127.0.0.1',
        IMAGELIB_HTTP_PORT: String(httpPort),
        IMAGELIB_GRPC_HOST: '127.0.0.1',
        IMAGELIB_GRPC_PORT: String(grpcPort),
        IMAGELIB_LOG_LEVEL: logLevel,
        ...env,
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    }),
  );

  // The controller's log lines (JSON at warn level and up), counted and sampled for the report,
  // and kept whole in a file outside the data dir (which is removed) for a closer look.
  await mkdir(LOG_DIR, { recursive: true });
  const logPath = join(LOG_DIR, `controller-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}-${httpPort}.log`);
  const logFile = createWriteStream(logPath);
  const log = { lines: 0, byLevel: {}, samples: [], disconnectReasons: {}, path: logPath };
  const onLine = (line) => {
    if (!line.trim()) return;
    logFile.write(`${new Date().toISOString()} ${line}\n`);
    log.lines++;
    let level = 'text';
    let text = line;
    try {
      const entry = JSON.parse(line);
      level = entry.level ?? 'text';
      text = `[${level}] ${entry.context ? `${entry.context}: ` : ''}${typeof entry.message === 'string' ? entry.message : JSON.stringify(entry.message)}`;
    } catch {
      // plain text
    }
    log.byLevel[level] = (log.byLevel[level] ?? 0) + 1;
    // At log level info: why hosts disconnected ("host <id> disconnected: <why>"), digits folded.
    const disconnected = / disconnected: (.*)$/.exec(text);
    if (disconnected) {
      const why = disconnected[1].replace(/\d+/g, 'N');
      log.disconnectReasons[why] = (log.disconnectReasons[why] ?? 0) + 1;
    }
    if (log.samples.length < MAX_LOG_SAMPLES && level !== 'log' && level !== 'debug' && level !== 'verbose') log.samples.push(text.slice(0, 400));
  };
  for (const stream of [child.stdout, child.stderr]) {
    let buffered = '';
    stream.setEncoding('utf8');
    stream.on('data', (chunk) => {
      buffered += chunk;
      let newline;
      while ((newline = buffered.indexOf('\n')) >= 0) {
        onLine(buffered.slice(0, newline));
        buffered = buffered.slice(newline + 1);
      }
      if (buffered.length > 64 * 1024) {
        onLine(buffered);
        buffered = '';
      }
    });
  }
  let exited = null;
  child.once('exit', (code, signal) => {
    exited = { code, signal, at: new Date().toISOString() };
    logFile.end(`${exited.at} [bench] the controller exited: code ${code}, signal ${signal}\n`);
  });

  const httpUrl = `http://127.0.0.1:${httpPort}`;
  const stop = async () => {
    await stopChild(child, 10_000);
    await rm(dataDir, { recursive: true, force: true }).catch(() => {});
    untrackTempDir(dataDir);
  };

  const deadline = Date.now() + startTimeoutMs;
  for (;;) {
    if (exited) {
      await stop();
      throw new Error(`the controller exited during start-up (${JSON.stringify(exited)}): ${log.samples.join(' | ')}`);
    }
    try {
      const response = await fetch(`${httpUrl}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (response.status === 200) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await stop();
      throw new Error(`the controller did not answer /healthz within ${startTimeoutMs} ms`);
    }
    await sleep(200);
  }
  const adminToken = givenAdminToken ?? (await readFile(join(dataDir, 'admin-token'), 'utf8')).split('\n')[0].trim();

  const retries = [];
  /** Calls the REST API as the admin; returns the parsed JSON (or null), throws on non-2xx. */
  const api = async (method, path, body, timeoutMs = 30_000) => {
    let response;
    // A GET is retried once on a network error: fetch may reuse a keep-alive connection the
    // server has just closed after its idle timeout ("fetch failed", other side closed).
    for (let attempt = 1; ; attempt++) {
      try {
        response = await fetch(`${httpUrl}${path}`, {
          method,
          headers: { authorization: `Bearer ${adminToken}`, ...(body ? { 'content-type': 'application/json' } : {}) },
          body: body ? JSON.stringify(body) : undefined,
          signal: AbortSignal.timeout(timeoutMs),
        });
        break;
      } catch (error) {
        const cause = error?.cause ? ` (${error.cause.code ?? ''} ${error.cause.message ?? error.cause})` : '';
        const gone = exited ? `; the controller had exited: ${JSON.stringify(exited)}` : '';
        if (method === 'GET' && attempt < 2 && !exited && error?.name !== 'TimeoutError') {
          retries.push(`${method} ${path}: ${error.message}${cause}`);
          continue;
        }
        throw new Error(`${method} ${path}: ${error.message}${cause}${gone}`);
      }
    }
    const text = await response.text();
    if (!response.ok) throw new Error(`${method} ${path}: HTTP ${response.status}: ${text.slice(0, 500)}`);
    return text ? JSON.parse(text) : null;
  };

  return {
    pid: child.pid,
    child,
    dataDir,
    httpUrl,
    grpcAddress: `${env.IMAGELIB_GRPC_HOST ?? '127.0.0.1'}:${grpcPort}`,
    caPath: join(dataDir, 'ca.crt'),
    adminToken,
    api,
    /** Network errors of GETs that were retried (for the report). */
    retries,
    log,
    exited: () => exited,
    stop,
  };
}
