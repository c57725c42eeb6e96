// Controller fleet benchmark (issue 2): N simulated agents, each with its own enrolment, client
// certificate and TLS connection, hold their Connect streams against one controller and
// heartbeat at the default interval. Measured: the controller's CPU (% of one core) and RSS over
// a fixed window, the heartbeat round trip (p50/p99/max), and the time until the controller shows
// every host disconnected after all agents vanish at once (SIGKILL of every simulator process).
//
// Run through `npm run bench` (tools/bench/run.mjs), or alone: `node tools/bench/agent-fleet.mjs`.
// Env: BENCH_FLEET_SIZES (default 500,2000), BENCH_WINDOW_S (default 30),
//      BENCH_FLEET_WORKERS (simulator processes, default 4), BENCH_CONTROLLER_LOG_LEVEL (default
//      warn; info adds the controller's reasons for the disconnects to the report, for diagnosis).
// The controllers' whole logs are kept in $TMPDIR/imagelib-bench-logs/.
import { performance } from 'node:perf_hooks';
import { runWhenMain } from './lib/alone.mjs';
import { stopChild, waitForExit } from './lib/children.mjs';
import { startController } from './lib/controller.mjs';
import { mergeErrors, startFleet } from './lib/fleet.mjs';
import { cpuTimeMs, memory } from './lib/proc.mjs';

const MB = 1024 * 1024;
const SETTLE_MS = 5_000;
const DISCONNECT_POLL_MS = 50;
const DISCONNECT_TIMEOUT_MS = 30_000;
const TOTAL_ENROL_CONCURRENCY = 20;

export const TARGETS = {
  smallFleet: 500,
  cpuPctOneCore: 25,
  rssMB: 250,
  largeFleet: 2000,
};

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function log(message) {
  process.stderr.write(`[agent-fleet ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

function percentile(sorted, p) {
  if (sorted.length === 0) return null;
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank];
}

async function connectedCount(controller, timeoutMs = 10_000) {
  const hosts = await controller.api('GET', '/api/v1/hosts', undefined, timeoutMs);
  return { total: hosts.length, connected: hosts.filter((host) => host.connected).length };
}

/** Runs one fleet size against a fresh controller; returns the figures. */
export async function runFleet({ size, workers: workerCount = 4, windowS = 30, setupTimeoutS } = {}) {
  const setupTimeoutMs = (setupTimeoutS ?? Math.max(180, Math.ceil(size * 0.25))) * 1000;
  const result = { size, workers: workerCount, windowS, errors: [] };
  log(`${size} agents: starting a controller`);
  const controller = await startController({ logLevel: process.env.BENCH_CONTROLLER_LOG_LEVEL || 'warn' });
  log(`${size} agents: controller pid ${controller.pid}, log ${controller.log.path}`);
  /** The simulators (lib/fleet.mjs), once started. */
  const workers = [];
  try {
    result.rssIdleMB = (memory(controller.pid)?.rss ?? NaN) / MB;
    const token = await controller.api('POST', '/api/v1/join-tokens', { maxUses: size, ttlSeconds: 3600, description: `bench fleet of ${size}` });
    const fleet = startFleet({
      size,
      workerCount,
      addresses: [controller.grpcAddress],
      caPath: controller.caPath,
      joinToken: token.token,
      enrolConcurrency: TOTAL_ENROL_CONCURRENCY,
      maxDurationMs: setupTimeoutMs + (windowS + 120) * 1000,
      onError: (message) => result.errors.push(message),
    });
    const setupStarted = fleet.startedAt;
    workers.push(...fleet.workers);

    // Until the controller shows every host connected (bounded).
    let lastLogged = 0;
    let connected = { total: 0, connected: 0 };
    let allReadyAt = null;
    for (;;) {
      await sleep(1000);
      if (controller.exited()) throw new Error(`the controller exited: ${JSON.stringify(controller.exited())}`);
      const dead = workers.filter((worker) => worker.child.exitCode !== null || worker.child.signalCode !== null);
      if (dead.length > 0) throw new Error(`${dead.length} simulator process(es) exited during setup`);
      const enrolled = workers.reduce((sum, worker) => sum + (worker.status?.enrolled ?? 0), 0);
      const streams = workers.reduce((sum, worker) => sum + (worker.status?.connectedNow ?? 0), 0);
      const allReady = workers.every((worker) => worker.ready);
      if (allReady && allReadyAt === null) allReadyAt = performance.now();
      // Listing 2,000 hosts costs the controller; ask once the simulators say their streams are up.
      if (streams >= size || allReady) connected = await connectedCount(controller);
      const elapsed = performance.now() - setupStarted;
      if (elapsed - lastLogged > 10_000) {
        lastLogged = elapsed;
        log(`${size} agents: ${(elapsed / 1000).toFixed(0)} s: enrolled ${enrolled}, streams up ${streams}, controller shows ${connected.connected} connected`);
      }
      if (connected.connected >= size) break;
      if (allReadyAt !== null && performance.now() - allReadyAt > 30_000) {
        result.errors.push(`only ${connected.connected} of ${size} hosts connected 30 s after every simulator finished connecting`);
        break;
      }
      if (elapsed > setupTimeoutMs) {
        result.errors.push(`only ${connected.connected} of ${size} hosts connected after the setup timeout of ${setupTimeoutMs / 1000} s`);
        break;
      }
    }
    result.setup = {
      enrolS: Math.max(...workers.map((worker) => worker.enrolledAtMs ?? NaN)) / 1000,
      allConnectedS: (performance.now() - setupStarted) / 1000,
      enrolled: workers.reduce((sum, worker) => sum + (worker.status?.enrolled ?? 0), 0),
      enrolFailed: workers.reduce((sum, worker) => sum + (worker.status?.enrolFailed ?? 0), 0),
      connectFailed: workers.reduce((sum, worker) => sum + (worker.status?.connectFailed ?? 0), 0),
      reconnects: workers.reduce((sum, worker) => sum + (worker.status?.reconnects ?? 0), 0),
      rssAfterSetupMB: (memory(controller.pid)?.rss ?? NaN) / MB,
    };
    result.connectedAtWindowStart = connected.connected;
    log(`${size} agents: ${connected.connected} connected after ${result.setup.allConnectedS.toFixed(1)} s; settling ${SETTLE_MS / 1000} s, then measuring ${windowS} s`);
    await sleep(SETTLE_MS);

    // The measurement window.
    for (const worker of workers) worker.child.send({ type: 'window-start' });
    const cpu0 = cpuTimeMs(controller.pid);
    const workerCpu0 = workers.map((worker) => cpuTimeMs(worker.child.pid) ?? 0);
    const t0 = performance.now();
    const rssSamples = [];
    const windowEnd = t0 + windowS * 1000;
    while (performance.now() < windowEnd) {
      if (controller.exited()) throw new Error(`the controller exited ${((performance.now() - t0) / 1000).toFixed(1)} s into the measurement window: ${JSON.stringify(controller.exited())}`);
      const mem = memory(controller.pid);
      if (mem) rssSamples.push(mem.rss);
      await sleep(Math.min(1000, Math.max(0, windowEnd - performance.now())));
    }
    const cpu1 = cpuTimeMs(controller.pid);
    const workerCpu1 = workers.map((worker) => cpuTimeMs(worker.child.pid) ?? 0);
    const elapsedMs = performance.now() - t0;
    const endMem = memory(controller.pid);
    if (endMem) rssSamples.push(endMem.rss);
    for (const worker of workers) worker.child.send({ type: 'window-end' });
    const collectDeadline = performance.now() + 15_000;
    while (workers.some((worker) => !worker.window) && performance.now() < collectDeadline) await sleep(100);
    const windows = workers.map((worker) => worker.window).filter(Boolean);
    if (windows.length < workers.length) result.errors.push(`only ${windows.length} of ${workers.length} simulators reported their window`);

    const rtts = windows.flatMap((w) => w.rtts).sort((a, b) => a - b);
    result.controller = {
      cpuPctOneCore: cpu0 === null || cpu1 === null ? null : ((cpu1 - cpu0) / elapsedMs) * 100,
      rssMaxMB: rssSamples.length ? Math.max(...rssSamples) / MB : null,
      rssAvgMB: rssSamples.length ? rssSamples.reduce((a, b) => a + b, 0) / rssSamples.length / MB : null,
      peakRssMB: (endMem?.hwm ?? NaN) / MB,
    };
    result.simulators = {
      cpuPctOneCore: (workerCpu1.reduce((a, b) => a + b, 0) - workerCpu0.reduce((a, b) => a + b, 0)) / elapsedMs * 100,
      loopDelayP99MaxMs: Math.max(...windows.map((w) => w.loopDelayP99Ms)),
      loopDelayMaxMs: Math.max(...windows.map((w) => w.loopDelayMaxMs)),
    };
    result.heartbeatIntervalMs = windows.find((w) => w.heartbeatIntervalMs)?.heartbeatIntervalMs ?? null;
    result.heartbeats = {
      sent: windows.reduce((sum, w) => sum + w.sent, 0),
      acked: windows.reduce((sum, w) => sum + w.acked, 0),
      overdue: windows.reduce((sum, w) => sum + w.overdue, 0),
      perSecond: windows.reduce((sum, w) => sum + w.acked, 0) / (elapsedMs / 1000),
      p50Ms: percentile(rtts, 50),
      p99Ms: percentile(rtts, 99),
      maxMs: rtts.length ? rtts[rtts.length - 1] : null,
    };
    result.streams = {
      errors: windows.reduce((sum, w) => sum + w.streamErrors, 0),
      ends: windows.reduce((sum, w) => sum + w.streamEnds, 0),
      disconnects: windows.reduce((sum, w) => sum + w.disconnects, 0),
      reconnects: windows.reduce((sum, w) => sum + w.reconnects, 0),
      openAtWindowEnd: windows.reduce((sum, w) => sum + w.connectedNow, 0),
    };
    result.simulatorErrors = mergeErrors(windows.map((w) => w.errors).concat(workers.map((worker) => worker.status?.errors)));
    const listStarted = performance.now();
    result.connectedAtWindowEnd = (await connectedCount(controller)).connected;
    result.hostsListMs = performance.now() - listStarted;
    log(
      `${size} agents: controller CPU ${result.controller.cpuPctOneCore?.toFixed(1)} % of one core, RSS max ${result.controller.rssMaxMB?.toFixed(0)} MB, ` +
        `RTT p50 ${result.heartbeats.p50Ms?.toFixed(2)} / p99 ${result.heartbeats.p99Ms?.toFixed(2)} / max ${result.heartbeats.maxMs?.toFixed(2)} ms, ` +
        `${result.heartbeats.acked}/${result.heartbeats.sent} acked, ${result.connectedAtWindowEnd} connected at the end`,
    );

    // Every agent vanishes at once: SIGKILL all simulators, then poll until none is connected.
    const killedAt = performance.now();
    for (const worker of workers) worker.child.kill('SIGKILL');
    let polls = 0;
    let pollMaxMs = 0;
    let remaining = size;
    /** Hosts still connected, by the time of each poll's response. */
    const series = [];
    result.disconnect = { timedOut: true };
    while (performance.now() - killedAt < DISCONNECT_TIMEOUT_MS) {
      const pollStarted = performance.now();
      try {
        remaining = (await connectedCount(controller, DISCONNECT_TIMEOUT_MS)).connected;
      } catch (error) {
        result.errors.push(`GET /api/v1/hosts while waiting for the disconnects: ${error.message}`);
      }
      polls++;
      const pollEnded = performance.now();
      series.push(`${remaining} @ ${Math.round(pollEnded - killedAt)} ms`);
      pollMaxMs = Math.max(pollMaxMs, pollEnded - pollStarted);
      if (remaining === 0) {
        // The controller's answer reflects a moment between the request and its response.
        result.disconnect = { timedOut: false, ms: pollEnded - killedAt, lastPollSentMs: pollStarted - killedAt };
        break;
      }
      await sleep(Math.max(0, DISCONNECT_POLL_MS - (pollEnded - pollStarted)));
    }
    Object.assign(result.disconnect, { polls, pollMaxMs, remaining, series });
    log(`${size} agents: ${result.disconnect.timedOut ? `${remaining} still connected after ${DISCONNECT_TIMEOUT_MS} ms` : `all disconnected after ${result.disconnect.ms.toFixed(0)} ms`} (${polls} polls, slowest ${pollMaxMs.toFixed(0)} ms)`);
    await Promise.all(workers.map((worker) => waitForExit(worker.child, 5_000)));
    result.controllerExited = controller.exited();
  } catch (error) {
    const exitedBefore = controller.exited();
    log(`${size} agents: the controller ${exitedBefore ? `had exited: ${JSON.stringify(exitedBefore)}` : 'was still running'}; its log: ${controller.log.path}`);
    await stopChild(controller.child, 10_000);
    if (error && typeof error === 'object') {
      error.controllerLog = { lines: controller.log.lines, byLevel: controller.log.byLevel, samples: controller.log.samples, disconnectReasons: controller.log.disconnectReasons, path: controller.log.path };
      error.controllerExited = exitedBefore;
    }
    throw error;
  } finally {
    for (const worker of workers) {
      if (worker.child.exitCode === null && worker.child.signalCode === null) worker.child.kill('SIGKILL');
    }
    await stopChild(controller.child, 10_000);
    result.controllerLog = { lines: controller.log.lines, byLevel: controller.log.byLevel, samples: controller.log.samples, disconnectReasons: controller.log.disconnectReasons, path: controller.log.path };
    result.httpRetries = controller.retries;
    await controller.stop();
  }
  return result;
}

// ---- report ---------------------------------------------------------------------------------

const fixed = (value, digits = 1) => (value === null || value === undefined || Number.isNaN(value) ? 'n/a' : value.toFixed(digits));

function served(r) {
  return (
    r.connectedAtWindowStart === r.size &&
    r.connectedAtWindowEnd === r.size &&
    r.heartbeats.sent > 0 &&
    r.heartbeats.overdue === 0 &&
    r.streams.disconnects === 0 &&
    r.setup.enrolFailed === 0
  );
}

/** PASS/FAIL lines for the targets of issue 2. */
export function verdicts(results) {
  const lines = [];
  const small = results.find((r) => r.size === TARGETS.smallFleet);
  if (small?.controller) {
    const cpuOk = small.controller.cpuPctOneCore !== null && small.controller.cpuPctOneCore < TARGETS.cpuPctOneCore;
    const rssOk = small.controller.rssMaxMB !== null && small.controller.rssMaxMB < TARGETS.rssMB;
    lines.push({ target: `${TARGETS.smallFleet} agents: controller CPU < ${TARGETS.cpuPctOneCore} % of one core`, measured: `${fixed(small.controller.cpuPctOneCore)} %`, pass: cpuOk });
    lines.push({ target: `${TARGETS.smallFleet} agents: controller RSS < ${TARGETS.rssMB} MB`, measured: `${fixed(small.controller.rssMaxMB, 0)} MB`, pass: rssOk });
  } else {
    lines.push({ target: `${TARGETS.smallFleet} agents: < ${TARGETS.cpuPctOneCore} % of one core, < ${TARGETS.rssMB} MB RSS`, measured: small ? 'no measurement' : 'not run (BENCH_FLEET_SIZES)', pass: small ? false : null });
  }
  const large = results.find((r) => r.size === TARGETS.largeFleet);
  if (large?.controller) {
    lines.push({
      target: `${TARGETS.largeFleet.toLocaleString('en')} agents served (all connected, heartbeats acked)`,
      measured: `${large.connectedAtWindowEnd}/${large.size} connected, ${large.heartbeats.acked}/${large.heartbeats.sent} heartbeats acked, ${large.heartbeats.overdue} unanswered > 1 s, ${large.streams.disconnects} streams lost`,
      pass: served(large),
    });
  } else {
    lines.push({ target: `${TARGETS.largeFleet.toLocaleString('en')} agents served`, measured: large ? 'no measurement' : 'not run (BENCH_FLEET_SIZES)', pass: large ? false : null });
  }
  return lines;
}

export function markdown(results, { workers, windowS }) {
  const out = [];
  const intervals = [...new Set(results.map((r) => r.heartbeatIntervalMs).filter(Boolean))];
  const interval = intervals.length ? intervals.join(' / ') : 'n/a';
  out.push('## Controller with a simulated agent fleet');
  out.push('');
  out.push(
    `Simulated agents (\`tools/bench/fleet-worker.mjs\`, ${workers} processes) each enrol with a join token, get their own client certificate and hold ` +
      `one authenticated Connect stream on their own TLS connection to one controller (fresh data directory per fleet size), ` +
      `heartbeating at the default interval (${interval} ms, as the controller's welcome says). After every host shows connected and ${SETTLE_MS / 1000} s of settling, ` +
      `the figures are taken over a ${windowS} s window: controller CPU (utime + stime from /proc, as % of one core), controller RSS (VmRSS sampled every second, max), ` +
      `heartbeat round trip (heartbeat written by the agent → its ack read, every heartbeat of the window). Then every simulator process is SIGKILLed at once and ` +
      `\`GET /api/v1/hosts\` is polled every ${DISCONNECT_POLL_MS} ms until it shows no host connected.`,
  );
  out.push('');
  out.push(
    `**The simulators share the machine's cores with the controller**, so the round trips include the simulators' own scheduling and event-loop delays ` +
      `(their CPU use and event-loop delay are listed below); on a real fleet each agent has its own host.`,
  );
  out.push('');
  out.push('| Agents | Controller CPU (% of one core) | Controller RSS max (MB) | Heartbeat RTT p50 / p99 / max (ms) | Heartbeats acked in window | Time to mark all disconnected |');
  out.push('|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    if (!r.controller) {
      out.push(`| ${r.size.toLocaleString('en')} | failed: ${(r.failure ?? r.errors.join('; ')).replace(/\|/g, '\\|').slice(0, 300)} | | | | |`);
      continue;
    }
    const disconnect = r.disconnect?.timedOut ? `> ${DISCONNECT_TIMEOUT_MS / 1000} s (${r.disconnect.remaining} left)` : `≤ ${fixed(r.disconnect?.ms, 0)} ms`;
    out.push(
      `| ${r.size.toLocaleString('en')} | ${fixed(r.controller.cpuPctOneCore)} | ${fixed(r.controller.rssMaxMB, 0)} | ${fixed(r.heartbeats.p50Ms, 2)} / ${fixed(r.heartbeats.p99Ms, 2)} / ${fixed(r.heartbeats.maxMs, 1)} | ` +
        `${r.heartbeats.acked.toLocaleString('en')} / ${r.heartbeats.sent.toLocaleString('en')} | ${disconnect} |`,
    );
  }
  out.push('');
  out.push(
    '"Heartbeats acked in window": heartbeats sent in the window / acks received for them by its end; the few missing are in flight when it closes ' +
      '(a heartbeat unanswered for more than 1 s is counted as lost below). "Time to mark all disconnected": from the SIGKILL to the response of the first ' +
      '`GET /api/v1/hosts` showing no host connected, so an upper bound that includes that listing (its send time, a lower bound, is in the details).',
  );
  out.push('');
  out.push('Targets (issue 2):');
  out.push('');
  out.push('| Target | Measured | Result |');
  out.push('|---|---|:---:|');
  for (const line of verdicts(results)) out.push(`| ${line.target} | ${line.measured} | ${line.pass === null ? 'not run' : line.pass ? 'PASS' : 'FAIL'} |`);
  out.push('');
  out.push('Details:');
  out.push('');
  out.push('| Agents | Enrolment (s) | All connected after (s) | RSS idle / after setup / peak since start (MB) | Heartbeats per s | Lost heartbeats (unanswered > 1 s) / streams lost in window | Simulators CPU (% of one core) | Simulators event-loop delay p99 / max (ms) | \`GET /api/v1/hosts\` at window end (ms) | Disconnect: polls (slowest, ms); the poll showing 0 was sent at (ms) |');
  out.push('|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
  for (const r of results) {
    if (!r.controller) continue;
    out.push(
      `| ${r.size.toLocaleString('en')} | ${fixed(r.setup.enrolS)} | ${fixed(r.setup.allConnectedS)} | ${fixed(r.rssIdleMB, 0)} / ${fixed(r.setup.rssAfterSetupMB, 0)} / ${fixed(r.controller.peakRssMB, 0)} | ${fixed(r.heartbeats.perSecond, 0)} | ` +
        `${r.heartbeats.overdue} / ${r.streams.disconnects} | ${fixed(r.simulators.cpuPctOneCore)} | ${fixed(r.simulators.loopDelayP99MaxMs, 1)} / ${fixed(r.simulators.loopDelayMaxMs, 1)} | ${fixed(r.hostsListMs, 0)} | ${r.disconnect?.polls ?? 'n/a'} (${fixed(r.disconnect?.pollMaxMs, 0)}); ${fixed(r.disconnect?.lastPollSentMs, 0)} |`,
    );
  }
  out.push('');
  const problems = [];
  for (const r of results) {
    const lines = [];
    for (const error of r.errors) lines.push(error);
    if (r.failure) lines.push(`run failed: ${r.failure}`);
    if (r.setup?.enrolFailed) lines.push(`${r.setup.enrolFailed} enrolments failed`);
    if (r.setup?.connectFailed) lines.push(`${r.setup.connectFailed} streams never got a welcome`);
    if (r.httpRetries?.length) lines.push(`${r.httpRetries.length} REST call(s) of the bench retried after a network error: ${r.httpRetries.slice(0, 3).join('; ')}`);
    if (r.setup?.reconnects) lines.push(`${r.setup.reconnects} reconnects or connect retries during setup`);
    for (const { message, count } of r.simulatorErrors ?? []) lines.push(`simulators saw ${count} × ${message}`);
    const warnings = Object.entries(r.controllerLog?.byLevel ?? {}).filter(([level]) => !['log', 'debug', 'verbose'].includes(level));
    if (warnings.length) {
      lines.push(
        `controller logged ${warnings.map(([level, count]) => `${count} ${level}`).join(', ')} line(s), e.g.: ${r.controllerLog.samples
          .slice(0, 5)
          .map((sample) => `\`${sample.replace(/`/g, "'")}\``)
          .join('; ')}`,
      );
    }
    const reasons = Object.entries(r.controllerLog?.disconnectReasons ?? {});
    if (reasons.length) lines.push(`the controller's reasons for the disconnects: ${reasons.map(([why, count]) => `${count} × "${why}"`).join(', ')}`);
    if (lines.length) problems.push(`- ${r.size.toLocaleString('en')} agents: ${lines.join('; ')}`);
  }
  const timelines = results.filter((r) => r.disconnect?.series?.length).map((r) => `${r.size.toLocaleString('en')} agents: ${r.disconnect.series.join(', ')}`);
  if (timelines.length) {
    out.push(`Hosts the controller still showed connected after the SIGKILL, per poll (at the poll's response): ${timelines.join('; ')}.`);
    out.push('');
  }
  out.push(problems.length ? 'Problems seen:' : 'Problems seen: none (no failed enrolment, no stream error, no controller warning).');
  if (problems.length) {
    out.push('');
    out.push(...problems);
  }
  return out.join('\n');
}

/** The benchmark as run.mjs runs it: every fleet size, then its markdown section. */
export async function benchmark() {
  const sizes = (process.env.BENCH_FLEET_SIZES ?? '500,2000')
    .split(',')
    .map((s) => Number(s.trim()))
    .filter((n) => Number.isInteger(n) && n > 0 && n <= 10_000);
  const windowS = Number(process.env.BENCH_WINDOW_S ?? 30);
  if (!(windowS > 0 && windowS <= 600)) throw new Error('BENCH_WINDOW_S must be in (0, 600]');
  const workers = Math.max(1, Math.min(16, Number(process.env.BENCH_FLEET_WORKERS ?? 4) || 4));
  const results = [];
  for (const size of sizes) {
    try {
      results.push(await runFleet({ size, workers, windowS }));
    } catch (error) {
      log(`${size} agents: failed: ${error instanceof Error ? error.stack : String(error)}`);
      results.push({ size, workers, windowS, errors: [], failure: error instanceof Error ? error.message : String(error), controllerLog: error?.controllerLog, controllerExited: error?.controllerExited });
    }
  }
  const ok = verdicts(results).every((line) => line.pass !== false);
  return { id: 'agent-fleet', title: 'Controller with a simulated agent fleet', markdown: markdown(results, { workers, windowS }), results, ok };
}

// Alone: prints the results as JSON.
runWhenMain(import.meta.url, 'agent-fleet', benchmark);
