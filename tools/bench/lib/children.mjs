// Every child process a benchmark starts is tracked here, so that it is killed when the bench
// ends: normally, on an error, on Ctrl-C or on SIGTERM.

import { rmSync } from 'node:fs';

/** @type {Set<import('node:child_process').ChildProcess>} */
const children = new Set();
/** Children started in their own process group (detached): the whole group is killed. */
const groups = new Set();
/** Synchronous clean-ups to run when the bench exits (e.g. stopping a daemon that left our tree). */
const exitHooks = new Set();
/** Temporary directories to remove when the bench exits early. */
const tempDirs = new Set();
let installed = false;

function alive(child) {
  return child.exitCode === null && child.signalCode === null;
}

/** Kills every tracked child that is still running (by its own pid only). */
export function killAllChildren(signal = 'SIGKILL') {
  for (const child of children) {
    if (groups.has(child)) {
      // Its own process group (pgid = its pid): the leader and whatever it started.
      try {
        process.kill(-child.pid, signal);
      } catch {
        // the group is gone
      }
      continue;
    }
    if (alive(child)) {
      try {
        child.kill(signal);
      } catch {
        // already gone
      }
    }
  }
  for (const hook of [...exitHooks]) {
    exitHooks.delete(hook);
    try {
      hook();
    } catch {
      // best effort
    }
  }
}

function install() {
  if (installed) return;
  installed = true;
  process.on('exit', () => {
    killAllChildren('SIGKILL');
    for (const dir of tempDirs) {
      try {
        rmSync(dir, { recursive: true, force: true });
      } catch {
        // best effort
      }
    }
  });
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
    process.once(signal, () => {
      process.stderr.write(`bench: ${signal}, killing ${[...children].filter(alive).length} child process(es)\n`);
      killAllChildren('SIGKILL');
      process.exit(130);
    });
  }
}

/** Tracks a child process until it exits. */
export function track(child) {
  install();
  children.add(child);
  child.once('exit', () => children.delete(child));
  return child;
}

/**
 * Tracks a child spawned with `detached: true` (its own process group, e.g. nginx and its
 * workers): on an early exit the whole group is killed, by the group's id (the child's pid).
 * The group stays tracked after the leader exits, in case a member outlived it.
 */
export function trackGroup(child) {
  install();
  children.add(child);
  groups.add(child);
  return child;
}

/** Forgets a process group once it is known to be gone. */
export function untrackGroup(child) {
  groups.delete(child);
  children.delete(child);
}

/** Runs `hook` (synchronous) when the bench exits or is killed, unless removed first (returns the remover). */
export function onExit(hook) {
  install();
  exitHooks.add(hook);
  return () => exitHooks.delete(hook);
}

/** Removes the directory when the bench exits, unless untrackTempDir was called (after removing it). */
export function trackTempDir(dir) {
  install();
  tempDirs.add(dir);
}

export function untrackTempDir(dir) {
  tempDirs.delete(dir);
}

/** Resolves when the child has exited (immediately if it already has), or after timeoutMs with false. */
export function waitForExit(child, timeoutMs) {
  if (!alive(child)) return Promise.resolve(true);
  return new Promise((resolve) => {
    const timer = setTimeout(() => resolve(false), timeoutMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve(true);
    });
  });
}

/** SIGTERM, then SIGKILL after graceMs; resolves once the child is gone (bounded). */
export async function stopChild(child, graceMs = 10_000) {
  if (!alive(child)) return;
  child.kill('SIGTERM');
  if (await waitForExit(child, graceMs)) return;
  child.kill('SIGKILL');
  await waitForExit(child, 5_000);
}
