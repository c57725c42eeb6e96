// A simulated agent fleet: the simulator processes (tools/bench/fleet-worker.mjs, forked with
// IPC), each with its slice of the agents, and what they report.
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { track } from './children.mjs';

const WORKER = fileURLToPath(new URL('../fleet-worker.mjs', import.meta.url));

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Forks `workerCount` simulators sharing `size` agents (enrolment concurrency `enrolConcurrency`
 * in all). Each simulator's latest status, its 'enrolled' time (ms after the start), readiness, and
 * its latest 'window', 'watching' and 'settled' answers are kept on its entry in `workers`.
 */
export function startFleet({ size, workerCount, addresses, caPath, joinToken, enrolConcurrency, maxDurationMs, onError }) {
  const perWorker = Math.ceil(size / workerCount);
  const startedAt = performance.now();
  /** @type {Array<{ child: import('node:child_process').ChildProcess, status: any, ready: boolean, enrolledAtMs: number | null, window: any, watching: any, settled: any }>} */
  const workers = [];
  for (let w = 0; w < workerCount; w++) {
    const startIndex = w * perWorker;
    const count = Math.min(perWorker, size - startIndex);
    if (count <= 0) break;
    const config = {
      workerId: w,
      addresses,
      caPath,
      joinToken,
      startIndex,
      count,
      enrolConcurrency: Math.max(1, Math.floor(enrolConcurrency / workerCount)),
      connectConcurrency: 25,
      maxDurationMs,
    };
    const child = track(fork(WORKER, [JSON.stringify(config)], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'], serialization: 'advanced' }));
    const worker = { child, status: null, ready: false, enrolledAtMs: null, window: null, watching: null, settled: null };
    child.on('message', (message) => {
      if (message.type === 'status' || message.type === 'enrolled' || message.type === 'ready') worker.status = message;
      if (message.type === 'enrolled') worker.enrolledAtMs = performance.now() - startedAt;
      if (message.type === 'ready') worker.ready = true;
      if (message.type === 'window' || message.type === 'watching' || message.type === 'settled') worker[message.type] = message;
    });
    child.on('error', (error) => onError(`worker ${w}: ${error.message}`));
    workers.push(worker);
  }

  const alive = (worker) => worker.child.exitCode === null && worker.child.signalCode === null;
  /** Sends the message to every simulator and waits (bounded) until each has answered with `answer`; returns the answers. */
  const ask = async (message, answer, timeoutMs) => {
    for (const worker of workers) worker[answer] = null;
    for (const worker of workers) if (alive(worker)) worker.child.send(message);
    const deadline = performance.now() + timeoutMs;
    while (workers.some((worker) => !worker[answer]) && performance.now() < deadline) await sleep(100);
    return workers.map((worker) => worker[answer]).filter(Boolean);
  };
  return {
    workers,
    startedAt,
    /** A status counter summed over the simulators. */
    total: (field) => workers.reduce((sum, worker) => sum + (worker.status?.[field] ?? 0), 0),
    allReady: () => workers.every((worker) => worker.ready),
    deadCount: () => workers.filter((worker) => !alive(worker)).length,
    send: (message) => {
      for (const worker of workers) if (alive(worker)) worker.child.send(message);
    },
    ask,
    kill: () => {
      for (const worker of workers) if (alive(worker)) worker.child.kill('SIGKILL');
    },
  };
}

/** Distinct error messages with their counts, merged over the lists and sorted by count. */
export function mergeErrors(lists) {
  const merged = new Map();
  for (const list of lists) for (const { message, count } of list ?? []) merged.set(message, (merged.get(message) ?? 0) + count);
  return [...merged].map(([message, count]) => ({ message, count })).sort((a, b) => b.count - a.count);
}
