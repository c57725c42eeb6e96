// The reference systems the image service is compared with, from shared/peers (see its README):
// nginx with sendfile (the machine's limit for serving a file over loopback) and Debian's
// glance-api (no Keystone, sqlite, file store), both on 127.0.0.1 only.
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, linkSync, readFileSync } from 'node:fs';
import { copyFile, mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { onExit, trackGroup, untrackGroup, waitForExit } from './children.mjs';
import { REPO_ROOT } from './controller.mjs';
import { processTree } from './proc.mjs';

/** shared/peers beside the repository (BENCH_PEERS_DIR overrides). */
export const PEERS_DIR = process.env.BENCH_PEERS_DIR || join(REPO_ROOT, '..', 'shared', 'peers');

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function commandExists(command) {
  return (process.env.PATH ?? '').split(':').some((dir) => dir && existsSync(join(dir, command)));
}

/** apt-get installs the packages whose command is missing (as root, as on every machine of the project). */
export function ensureDebianPackages(packages, log) {
  const missing = Object.entries(packages).filter(([command]) => !commandExists(command)).map(([, pkg]) => pkg);
  if (missing.length === 0) return;
  log(`apt-get install ${missing.join(' ')}`);
  const sudo = process.getuid?.() === 0 ? [] : ['sudo'];
  const run = (args) => execFileSync(sudo.length ? 'sudo' : args[0], sudo.length ? args : args.slice(1), { stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000, env: { ...process.env, DEBIAN_FRONTEND: 'noninteractive' } });
  try {
    run(['apt-get', 'update', '-qq']);
  } catch {
    // a stale list may still do
  }
  run(['apt-get', 'install', '-y', '-qq', '--no-install-recommends', ...missing]);
}

async function waitForHttp(url, { timeoutMs, exited }) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (exited?.()) throw new Error(`the server exited before ${url} answered`);
    try {
      const response = await fetch(url, { method: 'HEAD', signal: AbortSignal.timeout(2000) });
      if (response.ok) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer within ${timeoutMs} ms`);
    await sleep(100);
  }
}

/**
 * nginx with shared/peers/glance/etc/nginx-bench.conf (only its listen port changed), serving
 * `files` ({ name: path }, hard-linked so that it is the very same file) from prefix/www.
 * Runs in its own process group (master and workers), killed as a group if the bench dies.
 */
export async function startNginx({ prefix, port, files }) {
  const template = join(PEERS_DIR, 'glance/etc/nginx-bench.conf');
  const conf = readFileSync(template, 'utf8');
  const listen = /listen\s+127\.0\.0\.1:\d+;/;
  if (!listen.test(conf)) throw new Error(`${template}: no "listen 127.0.0.1:PORT;" line to change`);
  for (const dir of ['etc', 'www', 'tmp/body', 'tmp/proxy', 'tmp/fastcgi', 'tmp/uwsgi', 'tmp/scgi']) await mkdir(join(prefix, dir), { recursive: true });
  await writeFile(join(prefix, 'etc/nginx-bench.conf'), conf.replace(listen, `listen 127.0.0.1:${port};`));
  for (const [name, path] of Object.entries(files)) {
    try {
      linkSync(path, join(prefix, 'www', name));
    } catch {
      await copyFile(path, join(prefix, 'www', name));
    }
    // nginx's workers run as nobody: the file must be readable by others.
    chmodSync(join(prefix, 'www', name), 0o644);
  }
  const child = trackGroup(spawn('nginx', ['-p', `${prefix}/`, '-c', 'etc/nginx-bench.conf', '-e', 'stderr', '-g', 'daemon off;'], { detached: true, stdio: ['ignore', 'ignore', 'pipe'] }));
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (chunk) => (stderr += chunk.slice(0, 2000)));
  let exited = false;
  child.once('exit', () => (exited = true));
  const url = `http://127.0.0.1:${port}`;
  try {
    await waitForHttp(`${url}/${Object.keys(files)[0]}`, { timeoutMs: 15_000, exited: () => exited });
  } catch (error) {
    await stopGroup(child);
    throw new Error(`nginx did not start: ${error.message}: ${stderr.trim()}`);
  }
  return {
    url,
    pid: child.pid,
    /** Master and workers. */
    pids: () => processTree(child.pid),
    stop: () => stopGroup(child),
  };
}

async function stopGroup(child) {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill('SIGTERM');
    if (!(await waitForExit(child, 10_000))) child.kill('SIGKILL');
    await waitForExit(child, 5_000);
  }
  try {
    process.kill(-child.pid, 'SIGKILL');
  } catch {
    // the group is gone, as it should be
  }
  untrackGroup(child);
}

/**
 * glance-api through shared/peers/glance/start-glance.sh (which apt-get installs it if missing),
 * with its state in `stateDir` and listening on 127.0.0.1:port. The script detaches it (setsid):
 * it is stopped by stop-glance.sh (by its pid file), or its process group killed if the bench dies.
 */
export async function startGlance({ stateDir, port, log }) {
  const env = { ...process.env, GLANCE_STATE: stateDir, GLANCE_PORT: String(port) };
  const script = join(PEERS_DIR, 'glance/start-glance.sh');
  const pidFile = join(stateDir, 'glance-api.pid');
  let pid = null;
  const killGroup = () => {
    const recorded = pid ?? (existsSync(pidFile) ? Number(readFileSync(pidFile, 'utf8').trim()) : null);
    if (!recorded) return;
    try {
      process.kill(-recorded, 'SIGKILL');
    } catch {
      // gone
    }
  };
  const removeHook = onExit(killGroup);
  const child = spawn(script, [], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  for (const stream of [child.stdout, child.stderr]) stream.setEncoding('utf8').on('data', (chunk) => (output += chunk));
  const guard = setTimeout(() => child.kill('SIGKILL'), 900_000);
  const code = await new Promise((resolve) => child.once('exit', (exitCode) => resolve(exitCode)));
  clearTimeout(guard);
  if (existsSync(pidFile)) pid = Number(readFileSync(pidFile, 'utf8').trim());
  if (code !== 0) {
    killGroup();
    removeHook();
    throw new Error(`start-glance.sh failed (exit ${code}): ${output.trim().split('\n').slice(-10).join(' | ')}`);
  }
  log?.(`glance-api pid ${pid} on 127.0.0.1:${port}`);
  return {
    url: `http://127.0.0.1:${port}`,
    pid,
    /** The eventlet parent and its workers. */
    pids: () => processTree(pid),
    version: glanceVersion(),
    stop: async () => {
      try {
        execFileSync(join(PEERS_DIR, 'glance/stop-glance.sh'), [], { env: { ...env, GLANCE_PURGE: '1' }, stdio: ['ignore', 'ignore', 'pipe'], timeout: 30_000 });
      } catch {
        // fall through to the group kill
      }
      killGroup();
      removeHook();
    },
  };
}

function glanceVersion() {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', 'glance-api'], { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch {
    return 'unknown';
  }
}

export function nginxVersion() {
  // nginx -v prints to stderr.
  const result = spawnSync('nginx', ['-v'], { encoding: 'utf8', timeout: 10_000 });
  return `${result.stderr ?? ''}${result.stdout ?? ''}`.trim().replace(/^nginx version:\s*/, '') || 'unknown';
}
