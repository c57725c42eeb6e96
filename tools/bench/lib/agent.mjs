// Starts a real agent (apps/agent/dist/main.js) on 127.0.0.1 against a bench controller, enrols
// it, and gives it the image-library role; it can be stopped (SIGTERM) and started again with
// its state directory kept, as an operator restarting the service would.
import { spawn, spawnSync } from 'node:child_process';
import { appendFileSync, closeSync, existsSync, fstatSync, openSync, readFileSync, readSync, statSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { stopChild, track, trackTempDir, untrackTempDir } from './children.mjs';
import { LOG_DIR, REPO_ROOT } from './controller.mjs';

export const AGENT_MAIN = join(REPO_ROOT, 'apps/agent/dist/main.js');

/** True when the built agent knows the flag (its --help names it): settings come and go while the product grows. */
export function agentSupports(flag) {
  const help = spawnSync(process.execPath, [AGENT_MAIN, '--help'], { encoding: 'utf8', timeout: 30_000 });
  return `${help.stdout ?? ''}${help.stderr ?? ''}`.includes(flag);
}

const MAX_SAMPLES = 30;

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Polls `check` until it returns something truthy; throws after timeoutMs with `what`. */
export async function waitUntil(what, check, { timeoutMs = 30_000, everyMs = 100 } = {}) {
  const deadline = performance.now() + timeoutMs;
  let lastError = null;
  for (;;) {
    try {
      const value = await check();
      if (value) return value;
    } catch (error) {
      lastError = error;
    }
    if (performance.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${lastError.message}` : ''}`);
    await sleep(everyMs);
  }
}

/**
 * An agent process with its own state directory (removed by destroy()) and its log kept whole in
 * LOG_DIR (one file across restarts).
 */
export class BenchAgent {
  /**
   * `launcher`: a command put in front of node that execs it (e.g. @imagelib/testbed's, to run the
   * agent as a host in its own namespaces), with `bindAddress` the host's address there.
   */
  constructor(controller, { hostname = 'bench-host', args = [], logLevel = 'info', env = {}, nodeArgs = [], launcher = [], bindAddress = '127.0.0.1' } = {}) {
    this.controller = controller;
    this.hostname = hostname;
    this.args = args;
    this.logLevel = logLevel;
    this.env = env;
    /** Options for node itself (e.g. --cpu-prof, for a closer look), before the agent's script. */
    this.nodeArgs = nodeArgs;
    this.launcher = launcher;
    this.bindAddress = bindAddress;
    this.child = null;
    this.stateDir = null;
    this.hostId = null;
    this.logPath = null;
    this.exitedWith = null;
    this.logOffset = 0;
  }

  get pid() {
    return this.child?.pid ?? null;
  }

  /** First start: a fresh state directory and enrolment with a new join token; resolves once the controller shows it connected. */
  async enrol({ timeoutMs = 60_000 } = {}) {
    this.stateDir = await mkdtemp(join(tmpdir(), 'imagelib-bench-agent-'));
    trackTempDir(this.stateDir);
    await mkdir(LOG_DIR, { recursive: true });
    this.logPath = join(LOG_DIR, `agent-${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}.log`);
    appendFileSync(this.logPath, '');
    const token = await this.controller.api('POST', '/api/v1/join-tokens', { maxUses: 1, ttlSeconds: 600, description: 'image-service bench' });
    this.start(['--join-token', token.token, '--ca-cert-hash', token.caCertHash]);
    const credential = join(this.stateDir, 'credential.json');
    await waitUntil('the agent to enrol', () => existsSync(credential), { timeoutMs });
    this.hostId = JSON.parse(readFileSync(credential, 'utf8')).hostId;
    await this.waitConnected(timeoutMs);
    return this.hostId;
  }

  /**
   * Spawns the agent process (state dir kept); returns Date.now() at the spawn. Its stdout and
   * stderr go straight to the log file (not through a pipe the bench would have to drain: a busy
   * bench must not slow the agent down); readLog() parses what this process wrote.
   */
  start(extraArgs = []) {
    if (this.child && this.child.exitCode === null && this.child.signalCode === null) throw new Error('the agent is already running');
    const args = [...this.nodeArgs, AGENT_MAIN, '--controller', this.controller.grpcAddress, '--state-dir', this.stateDir, '--hostname', this.hostname, '--bind-address', this.bindAddress, '--log-level', this.logLevel, ...this.args, ...extraArgs];
    appendFileSync(this.logPath, `${new Date().toISOString()} [bench] starting the agent\n`);
    this.logOffset = statSync(this.logPath).size;
    const fd = openSync(this.logPath, 'a');
    const spawnedAt = Date.now();
    let child;
    try {
      const [command, ...commandArgs] = [...this.launcher, process.execPath, ...args];
      child = track(spawn(command, commandArgs, { cwd: REPO_ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...this.env }, stdio: ['ignore', fd, fd] }));
    } finally {
      closeSync(fd);
    }
    this.child = child;
    this.exitedWith = null;
    child.once('exit', (code, signal) => {
      this.exitedWith = { code, signal };
      appendFileSync(this.logPath, `${new Date().toISOString()} [bench] agent pid ${child.pid} exited: code ${code}, signal ${signal}\n`);
    });
    return spawnedAt;
  }

  /**
   * The JSON log lines written since the last tail() (or since the process started, on the first
   * call after a start): reads only the new bytes, so it is cheap to call often.
   */
  tail() {
    if (this.tailOffset === undefined || this.tailOffset < this.logOffset) {
      this.tailOffset = this.logOffset;
      this.tailRest = '';
    }
    const fd = openSync(this.logPath, 'r');
    let text = '';
    try {
      const size = fstatSync(fd).size;
      if (size > this.tailOffset) {
        const buffer = Buffer.allocUnsafe(size - this.tailOffset);
        const read = readSync(fd, buffer, 0, buffer.length, this.tailOffset);
        this.tailOffset += read;
        text = buffer.subarray(0, read).toString('utf8');
      }
    } finally {
      closeSync(fd);
    }
    const lines = (this.tailRest + text).split('\n');
    this.tailRest = lines.pop() ?? '';
    const entries = [];
    for (const line of lines) {
      if (!line.startsWith('{')) continue;
      try {
        entries.push(JSON.parse(line));
      } catch {
        // a line that is not JSON
      }
    }
    return entries;
  }

  /**
   * The JSON log lines of the current process (since its start): `{ entries, messages, problems }`
   * with entries as parsed (pino: time as ISO text, msg, level), message counts and the first
   * warnings and errors.
   */
  readLog() {
    const text = readFileSync(this.logPath, 'utf8').slice(this.logOffset ?? 0);
    const entries = [];
    const messages = {};
    const problems = [];
    for (const line of text.split('\n')) {
      if (!line.trim() || !line.startsWith('{')) continue;
      let entry;
      try {
        entry = JSON.parse(line);
      } catch {
        continue;
      }
      entries.push(entry);
      const msg = typeof entry.msg === 'string' ? entry.msg : 'text';
      messages[msg] = (messages[msg] ?? 0) + 1;
      // pino levels: 40 warn, 50 error, 60 fatal.
      if (entry.level >= 40 && problems.length < MAX_SAMPLES) {
        const detail = entry.reason ?? entry.err?.message ?? entry.fileName ?? '';
        problems.push(`${msg}${detail ? ` (${String(detail).slice(0, 200)})` : ''}`);
      }
    }
    return { entries, messages, problems };
  }

  async waitConnected(timeoutMs = 30_000) {
    await waitUntil('the controller to show the agent connected', async () => (await this.controller.api('GET', `/api/v1/hosts/${this.hostId}`)).connected, { timeoutMs, everyMs: 50 });
  }

  async waitDisconnected(timeoutMs = 30_000) {
    await waitUntil('the controller to show the agent disconnected', async () => !(await this.controller.api('GET', `/api/v1/hosts/${this.hostId}`)).connected, { timeoutMs, everyMs: 50 });
  }

  /** Gives the host the image-library role and waits until it is active; returns the image API URL. */
  async assignImageLibrary({ repositoryPath, port, timeoutMs = 30_000 }) {
    await this.controller.api('PUT', `/api/v1/hosts/${this.hostId}/roles/image-library`, { repositoryPath, port });
    const role = await waitUntil(
      'the image-library role to be active',
      async () => {
        const host = await this.controller.api('GET', `/api/v1/hosts/${this.hostId}`);
        const found = host.roles.find((r) => r.role === 'image-library');
        if (found?.state === 'failed') throw new Error(`the role failed: ${found.reason}`);
        return found?.state === 'active' ? found : null;
      },
      { timeoutMs, everyMs: 100 },
    );
    this.url = `http://${this.bindAddress}:${role.port || port}`;
    return this.url;
  }

  /** SIGTERM (then SIGKILL after graceMs); resolves with how long the exit took, in ms. */
  async stop(graceMs = 15_000) {
    if (!this.child) return 0;
    const started = performance.now();
    await stopChild(this.child, graceMs);
    return performance.now() - started;
  }

  /** Stops the process and removes its state directory. */
  async destroy() {
    await this.stop(10_000);
    if (this.stateDir) {
      await rm(this.stateDir, { recursive: true, force: true }).catch(() => {});
      untrackTempDir(this.stateDir);
    }
  }
}
