import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, existsSync, mkdtempSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO_ROOT = resolve(import.meta.dirname, '../../..');
export const CONTROLLER_MAIN = join(REPO_ROOT, 'apps/controller/dist/main.js');
export const AGENT_MAIN = join(REPO_ROOT, 'apps/agent/dist/main.js');

const running = new Set<ChildProcess>();
process.on('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export function tempDir(prefix: string): string {
  return mkdtempSync(join(tmpdir(), `imagelib-${prefix}-`));
}

/** A TCP port that was free a moment ago on 127.0.0.1. */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolvePort(port));
    });
  });
}

/**
 * Starts a node process, logging its output to a file; killed when the test process exits. A launcher
 * (e.g. `ip netns exec NS`) is put in front of node; it must exec node so that the pid stays node's.
 */
export function startNode(main: string, args: string[], env: NodeJS.ProcessEnv, logFile: string, user?: { uid: number; gid: number }, launcher: string[] = []): ChildProcess {
  const [command, ...commandArgs] = [...launcher, process.execPath, main, ...args] as [string, ...string[]];
  const child = spawn(command, commandArgs, { env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'], ...user });
  const log = createWriteStream(logFile, { flags: 'a' });
  child.stdout?.pipe(log);
  child.stderr?.pipe(log);
  running.add(child);
  child.once('exit', () => running.delete(child));
  return child;
}

/** Resolves with the exit code (or the signal's name) once the process is gone. */
export function exited(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((done) => child.once('exit', (code, signal) => done(code ?? signal ?? -1)));
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A whole number of at least `low` and less than `high`, at random. */
export const between = (low: number, high: number) => low + Math.floor(Math.random() * (high - low));

/** Polls until the check returns a value other than undefined/false, or fails after timeoutMs. */
export async function waitFor<T>(what: string, check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 10_000, everyMs = 25): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${String(lastError)}` : ''}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}

/** True when running as root; otherwise says loudly that the test did not run, and fails under CI=true. */
export function rootAvailable(what: string): boolean {
  if (process.getuid?.() === 0) return true;
  if (process.env.CI === 'true') throw new Error(`${what} needs root (CI runs as root)`);
  console.warn(`\n*** ${what} needs root: it DID NOT RUN ***\n`);
  return false;
}

/** True when the command is installed; otherwise says loudly that the test did not run, and fails under CI=true. */
export function commandAvailable(command: string, debianPackage: string): boolean {
  const found = process.env.PATH?.split(':').some((dir) => existsSync(join(dir, command)));
  if (found) return true;
  if (process.env.CI === 'true') throw new Error(`${command} is missing: apt-get install ${debianPackage} (.ci/run does)`);
  console.warn(`\n*** ${command} is missing (apt-get install ${debianPackage}): tests that need it DID NOT RUN ***\n`);
  return false;
}
