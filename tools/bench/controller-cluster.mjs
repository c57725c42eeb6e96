// Controller cluster benchmark (issue 7): one PostgreSQL, three controllers on it, N simulated
// agents spread over the three. Every simulated agent (tools/bench/fleet-worker.mjs) has the list
// of all three gRPC addresses and starts at its own (index modulo 3); when its stream breaks it
// moves to the next address after a jittered backoff, as the real agent does.
// The controllers share one database (IMAGELIB_DATABASE_URL), which holds the CA and the
// image-token key too; each has a data directory of its own. The first is started alone: it creates
// the key material and the admin token (its admin-token file is the only one), which the bench uses
// with all three; the other two start after it, together.
// The simulators trust the CA that the first controller's TLS endpoint presents once it matches the
// join token's caCertHash, checked by the agent's own code (apps/agent/dist/enrolment/ca-pin.js).
//
// Measured, side by side: each controller's CPU (% of one core) and RSS over a steady window, with
// the heartbeat round trips of the streams it holds; the database's load (pg_stat_database deltas
// per second, backends, the CPU of the PostgreSQL server's processes from /proc) during enrolment,
// the steady window and the failover. Then the first controller is killed -9, and the time until
// the fleet settles is measured two ways: (a) every simulated agent has an open stream again (the
// simulators say so), (b) a surviving controller's GET /api/v1/hosts, asked after (a), shows every
// host connected and goes on doing so for 5 s (before (a) it may still count the broken streams).
//
// Run through `BENCH_ONLY=controller-cluster npm run bench` (tools/bench/run.mjs), or alone:
// `node tools/bench/controller-cluster.mjs` (prints the results as JSON, then the section).
// Env: BENCH_CLUSTER_AGENTS (default 2000), BENCH_CLUSTER_WINDOW_S (default 30),
//      BENCH_CLUSTER_WORKERS (simulator processes, default 4), BENCH_CONTROLLER_LOG_LEVEL (default warn).
// Needs Debian's postgresql (libs/testbed's startPostgres; as root the server runs as `postgres`).
// Every phase is bounded; the controllers' whole logs are kept in $TMPDIR/imagelib-bench-logs/.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { runWhenMain } from './lib/alone.mjs';
import { killAllChildren, stopChild, trackTempDir, untrackTempDir, waitForExit } from './lib/children.mjs';
import { REPO_ROOT, startController } from './lib/controller.mjs';
import { mergeErrors, startFleet } from './lib/fleet.mjs';
import { BENCH_POSTGRES_SETTINGS, databaseLoad, startBenchPostgres } from './lib/postgres.mjs';
import { cpuTimeMs, memory } from './lib/proc.mjs';
import { fixed, summary } from './lib/stats.mjs';

const CONTROLLERS = 3;
export const TITLE = `Controller cluster: simulated agents over ${CONTROLLERS} controllers on one PostgreSQL`;
const MB = 1024 * 1024;
const SETTLE_MS = 5_000;
const TOTAL_ENROL_CONCURRENCY = 24;
const HOSTS_POLL_MS = 250;
/** (a) and (b) each: from the kill -9 until the fleet has settled, at the most. */
const FAILOVER_TIMEOUT_MS = 45_000;
const LIST_TIMEOUT_MS = 15_000;
/** (b) counts once the survivor has shown every host connected for this long without a dip. */
const STABLE_MS = 5_000;
const CA_PIN = pathToFileURL(join(REPO_ROOT, 'apps/agent/dist/enrolment/ca-pin.js')).href;

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function log(message) {
  process.stderr.write(`[controller-cluster ${new Date().toISOString().slice(11, 19)}] ${message}\n`);
}

/** Hosts in the controller's GET /api/v1/hosts, and how many of them it shows connected. */
async function hostsView(controller) {
  const hosts = await controller.api('GET', '/api/v1/hosts', undefined, LIST_TIMEOUT_MS);
  return { total: hosts.length, connected: hosts.filter((host) => host.connected).length };
}

/** Each controller's view, or the error it gave. */
function hostsViews(controllers) {
  return Promise.all(controllers.map((controller) => hostsView(controller).catch((error) => ({ error: error.message }))));
}

/**
 * The controller's event-loop delay since its previous scrape (prom-client's histogram, reset by
 * every scrape of GET /metrics): { p99Ms, maxMs }, or null when it did not answer.
 */
async function eventLoopDelay(controller) {
  try {
    const response = await fetch(`${controller.httpUrl}/metrics`, { signal: AbortSignal.timeout(LIST_TIMEOUT_MS) });
    const text = await response.text();
    const gauge = (name) => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, 'm').exec(text)?.[1] ?? NaN) * 1000;
    return { p99Ms: gauge('nodejs_eventloop_lag_p99_seconds'), maxMs: gauge('nodejs_eventloop_lag_max_seconds') };
  } catch {
    return null;
  }
}

/** Streams per controller (by gRPC address), summed over the simulators' reports. */
function streamsPer(controllers, reports) {
  return controllers.map((controller) => reports.reduce((sum, report) => sum + (report?.connectedByAddress?.[controller.grpcAddress] ?? 0), 0));
}

/**
 * Polls the controller until an answer to a request sent once every agent had its stream back
 * (`fleetBackAt()`, null until then) shows `size` hosts connected, and every answer for STABLE_MS
 * after it does too: before (a), "all connected" may be a view that has not yet noticed the
 * streams that broke, and a view may still drop hosts afterwards (a late expiry). Bounded; the
 * series of answers (changes only) and the lowest count are kept.
 */
async function untilAllShownConnected(controller, size, sinceMs, fleetBackAt) {
  const series = [];
  let polls = 0;
  let slowestMs = 0;
  let lowest = null;
  /** The first answer of the current all-connected run (sent after (a)). */
  let candidate = null;
  while (performance.now() - sinceMs < FAILOVER_TIMEOUT_MS + STABLE_MS) {
    const sent = performance.now();
    let view = null;
    try {
      view = await hostsView(controller);
    } catch (error) {
      series.push(`error @ ${Math.round(performance.now() - sinceMs)} ms: ${error.message}`);
    }
    const answered = performance.now();
    polls++;
    slowestMs = Math.max(slowestMs, answered - sent);
    if (view) {
      const last = series.at(-1);
      const entry = `${view.connected} @ ${Math.round(answered - sinceMs)} ms`;
      // Only changes are kept (the series stays short).
      if (!last || !last.startsWith(`${view.connected} @`)) series.push(entry);
      if (!lowest || view.connected < lowest.connected) lowest = { connected: view.connected, ms: answered - sinceMs };
      const backAt = fleetBackAt();
      if (view.connected < size) candidate = null;
      else if (!candidate && backAt !== null && sent >= backAt) candidate = { ms: answered - sinceMs, sentMs: sent - sinceMs };
      if (candidate && answered - sinceMs - candidate.ms >= STABLE_MS) return { settled: true, ...candidate, polls, slowestMs, series, lowest, last: view };
    }
    if (!candidate && performance.now() - sinceMs >= FAILOVER_TIMEOUT_MS) break;
    await sleep(Math.max(0, HOSTS_POLL_MS - (answered - sent)));
  }
  const last = await hostsView(controller).catch(() => null);
  return { settled: false, polls, slowestMs, series, lowest, last };
}

/** Runs the cluster with `size` agents; returns the figures. */
export async function runCluster({ size, workerCount = 4, windowS = 30 }) {
  const setupTimeoutMs = Math.max(150, Math.ceil(size * 0.1)) * 1000;
  const result = { size, workers: workerCount, windowS, errors: [], controllers: [] };
  const logLevel = process.env.BENCH_CONTROLLER_LOG_LEVEL || 'warn';
  log(`${size} agents: starting PostgreSQL`);
  const postgres = await startBenchPostgres();
  /** The bench's own files (the pinned CA for the simulators). */
  const benchDir = await mkdtemp(join(tmpdir(), 'imagelib-bench-cluster-'));
  trackTempDir(benchDir);
  /** @type {Array<Awaited<ReturnType<typeof startController>>>} */
  const controllers = [];
  let fleet = null;
  try {
    const start = (adminToken) => startController({ adminToken, logLevel, env: { IMAGELIB_DATABASE_URL: postgres.url } });
    controllers.push(await start());
    controllers.push(...(await Promise.all(Array.from({ length: CONTROLLERS - 1 }, () => start(controllers[0].adminToken)))));
    log(`${size} agents: controllers ${controllers.map((c) => `pid ${c.pid} gRPC ${c.grpcAddress}`).join(', ')}; PostgreSQL postmaster pid ${postgres.postmasterPid}`);
    result.rssIdleMB = controllers.map((c) => (memory(c.pid)?.rss ?? NaN) / MB);
    const token = await controllers[0].api('POST', '/api/v1/join-tokens', { maxUses: size, ttlSeconds: 3600, description: `bench cluster of ${size}` });
    const { fetchPinnedCa } = await import(CA_PIN);
    const [caHost, caPort] = controllers[0].grpcAddress.split(':');
    const caPath = join(benchDir, 'pinned-ca.crt');
    await writeFile(caPath, await fetchPinnedCa(caHost, Number(caPort), token.caCertHash));

    // Enrolment and connection, until every simulated agent has its stream (bounded).
    const dbSetup0 = await postgres.snapshot();
    fleet = startFleet({
      size,
      workerCount,
      addresses: controllers.map((c) => c.grpcAddress),
      caPath,
      joinToken: token.token,
      enrolConcurrency: TOTAL_ENROL_CONCURRENCY,
      maxDurationMs: setupTimeoutMs + SETTLE_MS + (windowS + 180) * 1000,
      onError: (message) => result.errors.push(message),
    });
    let lastLogged = 0;
    for (;;) {
      await sleep(1000);
      const exited = controllers.filter((c) => c.exited());
      if (exited.length) throw new Error(`${exited.length} controller(s) exited during setup: ${exited.map((c) => JSON.stringify(c.exited())).join(', ')}`);
      if (fleet.deadCount()) throw new Error(`${fleet.deadCount()} simulator process(es) exited during setup`);
      const elapsed = performance.now() - fleet.startedAt;
      const enrolled = fleet.total('enrolled');
      const streams = fleet.total('connectedNow');
      if (elapsed - lastLogged > 10_000) {
        lastLogged = elapsed;
        log(`${size} agents: ${(elapsed / 1000).toFixed(0)} s: enrolled ${enrolled}, streams up ${streams}`);
      }
      if (fleet.allReady() && streams >= fleet.total('enrolled')) break;
      if (elapsed > setupTimeoutMs) {
        result.errors.push(`only ${streams} of ${size} streams up after the setup timeout of ${setupTimeoutMs / 1000} s`);
        break;
      }
    }
    const dbSetup1 = await postgres.snapshot();
    result.setup = {
      enrolS: Math.max(...fleet.workers.map((worker) => worker.enrolledAtMs ?? NaN)) / 1000,
      allConnectedS: (performance.now() - fleet.startedAt) / 1000,
      enrolled: fleet.total('enrolled'),
      enrolFailed: fleet.total('enrolFailed'),
      connectFailed: fleet.total('connectFailed'),
      reconnects: fleet.total('reconnects'),
      streams: fleet.total('connectedNow'),
      database: databaseLoad(dbSetup0, dbSetup1),
    };
    log(`${size} agents: ${result.setup.streams} streams up after ${result.setup.allConnectedS.toFixed(1)} s; settling ${SETTLE_MS / 1000} s, then measuring ${windowS} s`);
    await sleep(SETTLE_MS);

    // The steady window.
    fleet.send({ type: 'window-start' });
    await Promise.all(controllers.map(eventLoopDelay));
    const db0 = await postgres.snapshot();
    const cpu0 = controllers.map((c) => cpuTimeMs(c.pid));
    const simulatorCpu0 = fleet.workers.map((worker) => cpuTimeMs(worker.child.pid) ?? 0);
    const t0 = performance.now();
    const rssSamples = controllers.map(() => []);
    const windowEnd = t0 + windowS * 1000;
    while (performance.now() < windowEnd) {
      const exited = controllers.filter((c) => c.exited());
      if (exited.length) throw new Error(`a controller exited ${((performance.now() - t0) / 1000).toFixed(1)} s into the window: ${JSON.stringify(exited[0].exited())}`);
      controllers.forEach((c, i) => {
        const rss = memory(c.pid)?.rss;
        if (rss) rssSamples[i].push(rss);
      });
      await sleep(Math.min(1000, Math.max(0, windowEnd - performance.now())));
    }
    const cpu1 = controllers.map((c) => cpuTimeMs(c.pid));
    const simulatorCpu1 = fleet.workers.map((worker) => cpuTimeMs(worker.child.pid) ?? 0);
    const db1 = await postgres.snapshot();
    const elapsedMs = performance.now() - t0;
    const loopDelays = await Promise.all(controllers.map(eventLoopDelay));
    const windows = await fleet.ask({ type: 'window-end' }, 'window', 15_000);
    if (windows.length < fleet.workers.length) result.errors.push(`only ${windows.length} of ${fleet.workers.length} simulators reported their window`);
    result.views = await hostsViews(controllers);
    const streamsBefore = streamsPer(controllers, windows);
    result.controllers = controllers.map((c, i) => {
      const rtts = summary(windows.flatMap((w) => w.rttsByAddress?.[c.grpcAddress] ?? []));
      const samples = rssSamples[i];
      return {
        pid: c.pid,
        grpcAddress: c.grpcAddress,
        streams: streamsBefore[i],
        cpuPctOneCore: cpu0[i] === null || cpu1[i] === null ? null : ((cpu1[i] - cpu0[i]) / elapsedMs) * 100,
        rssAvgMB: samples.length ? samples.reduce((a, b) => a + b, 0) / samples.length / MB : null,
        rssMaxMB: samples.length ? Math.max(...samples) / MB : null,
        rtt: { p50Ms: rtts.p50, p99Ms: rtts.p99, maxMs: rtts.max, count: rtts.count },
        eventLoop: loopDelays[i],
        view: result.views[i],
      };
    });
    const allRtts = summary(windows.flatMap((w) => w.rtts));
    result.window = {
      database: { ...databaseLoad(db0, db1), processes: db1.processes, rssMB: db1.rssBytes / MB },
      heartbeats: {
        sent: windows.reduce((sum, w) => sum + w.sent, 0),
        acked: windows.reduce((sum, w) => sum + w.acked, 0),
        overdue: windows.reduce((sum, w) => sum + w.overdue, 0),
        p50Ms: allRtts.p50,
        p99Ms: allRtts.p99,
        maxMs: allRtts.max,
      },
      streamsLost: windows.reduce((sum, w) => sum + w.disconnects, 0),
      heartbeatIntervalMs: windows.find((w) => w.heartbeatIntervalMs)?.heartbeatIntervalMs ?? null,
      simulators: {
        cpuPctOneCore: ((simulatorCpu1.reduce((a, b) => a + b, 0) - simulatorCpu0.reduce((a, b) => a + b, 0)) / elapsedMs) * 100,
        loopDelayP99MaxMs: Math.max(...windows.map((w) => w.loopDelayP99Ms)),
      },
    };
    log(
      `${size} agents: ${result.controllers.map((c) => `${c.streams} streams, CPU ${fixed(c.cpuPctOneCore)} %, RSS ${fixed(c.rssMaxMB, 0)} MB`).join(' | ')}; ` +
        `PostgreSQL ${fixed(result.window.database.commitsPerS)} commits/s, CPU ${fixed(result.window.database.cpuPctOneCore)} %; RTT p50 ${fixed(allRtts.p50, 2)} / p99 ${fixed(allRtts.p99, 2)} ms`,
    );

    // Failover: kill -9 the first controller.
    const victim = controllers[0];
    const survivors = controllers.slice(1);
    for (const worker of fleet.workers) worker.settled = null;
    const watching = await fleet.ask({ type: 'watch', address: victim.grpcAddress }, 'watching', 10_000);
    if (watching.length < fleet.workers.length) result.errors.push(`only ${watching.length} of ${fleet.workers.length} simulators answered the watch`);
    await Promise.all(survivors.map(eventLoopDelay));
    const dbKill = await postgres.snapshot();
    const survivorCpuKill = survivors.map((c) => cpuTimeMs(c.pid));
    const killedAtWall = Date.now();
    const killedAt = performance.now();
    victim.child.kill('SIGKILL');
    log(`${size} agents: killed -9 controller pid ${victim.pid} holding ${watching.reduce((sum, w) => sum + w.expected, 0)} streams`);
    let fleetBackAt = null;
    const fleetSettled = (async () => {
      while (fleet.workers.some((worker) => !worker.settled) && performance.now() - killedAt < FAILOVER_TIMEOUT_MS) await sleep(20);
      const settled = fleet.workers.every((worker) => worker.settled);
      if (settled) fleetBackAt = performance.now();
      return { settled };
    })();
    const [streamsBack, shown] = await Promise.all([fleetSettled, untilAllShownConnected(survivors[0], size, killedAt, () => fleetBackAt)]);
    const dbSettled = await postgres.snapshot();
    const survivorCpuSettled = survivors.map((c) => cpuTimeMs(c.pid));
    const survivorLoopDelays = await Promise.all(survivors.map(eventLoopDelay));
    const settledReports = fleet.workers.map((worker) => worker.settled).filter(Boolean);
    const reconnect = summary(settledReports.flatMap((report) => report.reconnectMs));
    const firstLoss = settledReports.map((r) => r.firstLossAt).filter((at) => at !== null);
    result.failover = {
      killedPid: victim.pid,
      streamsOnVictim: watching.reduce((sum, w) => sum + w.expected, 0),
      streamsBack: {
        settled: streamsBack.settled,
        // Workers' wall clocks are this machine's: the latest 'all up again' minus the kill.
        ms: streamsBack.settled ? Math.max(...settledReports.map((r) => r.at)) - killedAtWall : null,
        firstLossMs: firstLoss.length ? Math.min(...firstLoss) - killedAtWall : null,
        lastLossMs: firstLoss.length ? Math.max(...settledReports.map((r) => r.lastLossAt ?? -Infinity)) - killedAtWall : null,
        reconnect,
        streamsNow: settledReports.length ? streamsPer(controllers, settledReports) : null,
        openNow: fleet.total('connectedNow'),
      },
      shown: { controller: survivors[0].grpcAddress, ...shown },
      database: databaseLoad(dbKill, dbSettled),
      survivorEventLoop: survivorLoopDelays,
      survivorCpuPctOneCore: survivors.map((c, i) => (survivorCpuKill[i] === null || survivorCpuSettled[i] === null ? null : ((survivorCpuSettled[i] - survivorCpuKill[i]) / (dbSettled.at - dbKill.at)) * 100)),
    };
    result.failover.otherViews = await hostsViews(survivors.slice(1));
    result.simulatorErrors = mergeErrors(fleet.workers.map((worker) => worker.status?.errors));
    log(
      `${size} agents: (a) ${streamsBack.settled ? `every stream up again ${fixed(result.failover.streamsBack.ms, 0)} ms after the kill` : `not every stream up again within ${FAILOVER_TIMEOUT_MS} ms`}; ` +
        `(b) ${shown.settled ? `${survivors[0].grpcAddress} shows all connected at ${fixed(shown.ms, 0)} ms` : `${survivors[0].grpcAddress} shows ${shown.last?.connected ?? 'n/a'} of ${size} connected after ${FAILOVER_TIMEOUT_MS} ms`}`,
    );
  } finally {
    fleet?.kill();
    await Promise.all((fleet?.workers ?? []).map((worker) => waitForExit(worker.child, 5_000)));
    await Promise.all(controllers.map((c) => stopChild(c.child, 10_000)));
    result.controllerLogs = controllers.map((c) => ({ lines: c.log.lines, byLevel: c.log.byLevel, samples: c.log.samples, path: c.log.path, exited: c.exited() }));
    await Promise.all(controllers.map((c) => c.stop()));
    await postgres.stop().catch((error) => result.errors.push(`stopping PostgreSQL: ${error.message}`));
    await rm(benchDir, { recursive: true, force: true }).catch(() => {});
    untrackTempDir(benchDir);
  }
  return result;
}

// ---- report ---------------------------------------------------------------------------------

const count = (n) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en') : 'n/a');
const cell = (text) => String(text).replace(/\|/g, '\\|');

/** PASS/FAIL lines: the fleet served, (a) and (b). */
export function verdicts(r) {
  if (!r.window) return [{ target: `${count(r.size)} agents over ${CONTROLLERS} controllers`, measured: `failed: ${r.failure ?? r.errors.join('; ')}`, pass: false }];
  const f = r.failover;
  const back = f?.streamsBack;
  return [
    {
      target: `${count(r.size)} agents served over ${CONTROLLERS} controllers (every stream up, heartbeats acked)`,
      measured: `${count(r.setup.streams)}/${count(r.size)} streams, ${count(r.window.heartbeats.acked)}/${count(r.window.heartbeats.sent)} heartbeats acked, ${r.window.heartbeats.overdue} unanswered > 1 s, ${r.window.streamsLost} streams lost`,
      pass: r.setup.streams === r.size && r.window.heartbeats.sent > 0 && r.window.heartbeats.overdue === 0 && r.window.streamsLost === 0,
    },
    {
      target: `(a) after kill -9 of a controller, every agent has an open stream again within ${FAILOVER_TIMEOUT_MS / 1000} s`,
      measured: back?.settled ? `${fixed(back.ms, 0)} ms (${count(f.streamsOnVictim)} streams moved)` : `not settled: ${count(back?.openNow)} of ${count(r.size)} open`,
      pass: Boolean(back?.settled),
    },
    {
      target: `(b) a surviving controller's GET /api/v1/hosts, asked after (a), shows every host connected within ${FAILOVER_TIMEOUT_MS / 1000} s`,
      measured: f?.shown.settled ? `≤ ${fixed(f.shown.ms, 0)} ms` : `not within ${FAILOVER_TIMEOUT_MS / 1000} s: it showed ${count(f?.shown.last?.connected)} of ${count(r.size)} connected at the end`,
      pass: Boolean(f?.shown.settled),
    },
  ];
}

function loopText(delay) {
  return delay ? `${fixed(delay.p99Ms, 0)} / ${fixed(delay.maxMs, 0)}` : 'no answer';
}

function viewText(view) {
  return view?.error ? `error: ${view.error}` : `${count(view?.connected)} of ${count(view?.total)}`;
}

function databaseRow(name, d) {
  return `| ${name} | ${fixed(d.seconds)} | ${fixed(d.commitsPerS)} | ${fixed(d.rollbacksPerS)} | ${fixed(d.tupleWritesPerS)} (${fixed(d.tupInsertedPerS)} / ${fixed(d.tupUpdatedPerS)} / ${fixed(d.tupDeletedPerS)}) | ${fixed(d.tupFetchedPerS)} | ${fixed(d.blksReadPerS)} / ${fixed(d.blksHitPerS)} | ${d.backends} | ${fixed(d.cpuPctOneCore)} |`;
}

export function markdown(r) {
  const out = [];
  out.push(`## ${TITLE}`);
  out.push('');
  out.push(
    `One PostgreSQL (Debian's server started by \`libs/testbed\`, settings ${Object.entries(BENCH_POSTGRES_SETTINGS).map(([k, v]) => `${k}=${v}`).join(', ')}), ` +
      `${CONTROLLERS} controllers on it (\`IMAGELIB_DATABASE_URL\`; the CA, the image-token key and the admin token are in the database too), each with a data directory of its own. ` +
      `${count(r.size)} simulated agents (\`tools/bench/fleet-worker.mjs\`, ${r.workers} processes) enrol and hold one authenticated Connect stream each on their own TLS connection, ` +
      `heartbeating at the interval the welcome gives (${r.window?.heartbeatIntervalMs ?? 'n/a'} ms). Every agent has the list of all ${CONTROLLERS} addresses and starts at its own ` +
      `(index modulo ${CONTROLLERS}); when its stream breaks it moves to the next address after a jittered backoff (full jitter, 250 ms doubling to 5 s, as the agent's). ` +
      `Once every stream is up and ${SETTLE_MS / 1000} s have passed, a ${r.windowS} s window: each controller's CPU (utime + stime from /proc, % of one core) and RSS ` +
      `(VmRSS every second), its event-loop delay (prom-client's histogram in its \`GET /metrics\`, scraped at both ends), the heartbeat round trips (written → ack read) of the streams it holds, the database's load (\`pg_stat_database\` deltas per second, ` +
      `backends in \`pg_stat_activity\`, the CPU of the postmaster and all its processes from /proc, reaped ones included). ` +
      `Then the first controller is killed -9 and two times are taken from the kill: (a) every simulated agent has an open stream again (the simulators' own clocks, ` +
      `this machine's), (b) a surviving controller's \`GET /api/v1/hosts\` (polled every ${HOSTS_POLL_MS} ms) shows every host \`connected: true\` in the answer to a request ` +
      `sent after (a) (before it, "all connected" can be a view that has not yet noticed the broken streams) and in every answer for ${STABLE_MS / 1000} s after it; its answers before that are listed too.`,
  );
  out.push('');
  out.push("**Everything shares the machine's cores**: the simulators, the three controllers and PostgreSQL; on a real fleet each agent has its own host.");
  out.push('');
  if (!r.window) {
    out.push(`The run failed: \`${cell(r.failure ?? r.errors.join('; ')).replace(/`/g, "'")}\``);
    return out.join('\n');
  }
  out.push(`### Per controller (steady window, ${r.windowS} s)`);
  out.push('');
  out.push('| Controller | Streams | CPU (% of one core) | RSS avg / max (MB) | Event-loop delay p99 / max (ms) | Heartbeat RTT p50 / p99 / max (ms) | Its `GET /api/v1/hosts`: connected of listed |');
  out.push('|---|---:|---:|---:|---:|---:|---:|');
  r.controllers.forEach((c, i) => {
    out.push(
      `| ${i + 1}${i === 0 ? ' (killed later)' : ''} | ${count(c.streams)} | ${fixed(c.cpuPctOneCore)} | ${fixed(c.rssAvgMB, 0)} / ${fixed(c.rssMaxMB, 0)} | ${loopText(c.eventLoop)} | ` +
        `${fixed(c.rtt.p50Ms, 2)} / ${fixed(c.rtt.p99Ms, 2)} / ${fixed(c.rtt.maxMs, 1)} | ${viewText(c.view)} |`,
    );
  });
  const sum = (field) => r.controllers.reduce((total, c) => total + (c[field] ?? NaN), 0);
  const hb = r.window.heartbeats;
  out.push(`| all | ${count(sum('streams'))} | ${fixed(sum('cpuPctOneCore'))} | ${fixed(sum('rssAvgMB'), 0)} / ${fixed(sum('rssMaxMB'), 0)} | | ${fixed(hb.p50Ms, 2)} / ${fixed(hb.p99Ms, 2)} / ${fixed(hb.maxMs, 1)} | |`);
  out.push('');
  out.push(
    `Heartbeats in the window: ${count(hb.sent)} sent, ${count(hb.acked)} acked, ${hb.overdue} unanswered for more than 1 s, ${r.window.streamsLost} streams lost. ` +
      `Simulators: ${fixed(r.window.simulators.cpuPctOneCore)} % of one core, event-loop delay p99 ≤ ${fixed(r.window.simulators.loopDelayP99MaxMs, 1)} ms. ` +
      `RSS before the fleet: ${r.rssIdleMB.map((v) => fixed(v, 0)).join(' / ')} MB.`,
  );
  out.push('');
  out.push('### Database (PostgreSQL)');
  out.push('');
  out.push('| Phase | Seconds | Commits/s | Rollbacks/s | Rows written/s (inserted / updated / deleted) | Rows fetched/s | Blocks read / hit per s | Backends at its end | Server CPU (% of one core) |');
  out.push('|---|---:|---:|---:|---:|---:|---:|---:|---:|');
  out.push(databaseRow(`enrolment and connection of ${count(r.size)} agents`, r.setup.database));
  out.push(databaseRow('steady window', r.window.database));
  if (r.failover) out.push(databaseRow('failover (kill -9 → (a) and (b) done or timed out)', r.failover.database));
  out.push('');
  out.push(`At the end of the window the server had ${r.window.database.processes} processes, ${fixed(r.window.database.rssMB, 0)} MB RSS in all (shared buffers counted in each process that touched them).`);
  out.push('');
  const f = r.failover;
  if (f) {
    const back = f.streamsBack;
    out.push('### Failover: controller 1 killed -9');
    out.push('');
    out.push('| Measure | Result |');
    out.push('|---|---|');
    out.push(`| streams on the killed controller | ${count(f.streamsOnVictim)} |`);
    out.push(`| their losses seen by the agents (first / last, after the kill) | ${fixed(back.firstLossMs, 0)} / ${fixed(back.lastLossMs, 0)} ms |`);
    out.push(`| (a) every agent has an open stream again | ${back.settled ? `${fixed(back.ms, 0)} ms` : `not within ${FAILOVER_TIMEOUT_MS / 1000} s (${count(back.openNow)} of ${count(r.size)} open)`} |`);
    out.push(`| per moved agent, loss → welcome from another controller: p50 / p99 / max | ${fixed(back.reconnect.p50, 0)} / ${fixed(back.reconnect.p99, 0)} / ${fixed(back.reconnect.max, 0)} ms (${count(back.reconnect.count)} agents) |`);
    out.push(`| streams open when (b) ended (after its ${STABLE_MS / 1000} s check) | ${count(back.openNow)} of ${count(r.size)} |`);
    out.push(`| streams per controller afterwards | ${back.streamsNow ? back.streamsNow.map((n, i) => `${i + 1}: ${count(n)}`).join(', ') : 'n/a'} |`);
    out.push(
      `| (b) controller 2's \`GET /api/v1/hosts\`, asked after (a), shows every host connected | ${f.shown.settled ? `≤ ${fixed(f.shown.ms, 0)} ms (that poll sent at ${fixed(f.shown.sentMs, 0)} ms)` : `not within ${FAILOVER_TIMEOUT_MS / 1000} s: ${viewText(f.shown.last)} connected at the end`} |`,
    );
    out.push(`| controller 2's answers (connected @ time of the answer; changes only) | ${cell(f.shown.series.join(', ') || 'none')} |`);
    out.push(`| the fewest hosts controller 2 showed connected | ${f.shown.lowest ? `${count(f.shown.lowest.connected)} @ ${fixed(f.shown.lowest.ms, 0)} ms` : 'n/a'} |`);
    out.push(`| controller 3's \`GET /api/v1/hosts\` afterwards | ${f.otherViews.map(viewText).join(', ')} connected |`);
    out.push(`| CPU of controllers 2 / 3 from the kill to the end of (a) and (b) | ${f.survivorCpuPctOneCore.map((v) => fixed(v)).join(' / ')} % of one core |`);
    out.push(`| event-loop delay p99 / max of controllers 2 and 3 over the same time (ms) | ${f.survivorEventLoop.map(loopText).join(' and ')} |`);
    out.push('');
  }
  out.push('| Target | Measured | Result |');
  out.push('|---|---|:---:|');
  for (const line of verdicts(r)) out.push(`| ${cell(line.target)} | ${cell(line.measured)} | ${line.pass ? 'PASS' : 'FAIL'} |`);
  out.push('');
  out.push(
    `Setup: enrolment ${fixed(r.setup.enrolS)} s, every stream up after ${fixed(r.setup.allConnectedS)} s, ${r.setup.enrolFailed} enrolments failed, ` +
      `${r.setup.connectFailed} agents gave up connecting, ${r.setup.reconnects} connect retries.`,
  );
  const problems = [...r.errors];
  r.controllerLogs?.forEach((l, i) => {
    // The killed one ends by SIGKILL and the others by the bench's SIGTERM: an exit code is a crash.
    if (l.exited && l.exited.signal === null) problems.push(`controller ${i + 1} exited by itself at ${l.exited.at} with code ${l.exited.code}`);
    const warnings = Object.entries(l.byLevel).filter(([level]) => !['log', 'debug', 'verbose'].includes(level));
    if (warnings.length) problems.push(`controller ${i + 1} logged ${warnings.map(([level, n]) => `${n} ${level}`).join(', ')} line(s), e.g.: ${l.samples.slice(0, 6).map((s) => `\`${s.replace(/`/g, "'")}\``).join('; ')}`);
  });
  for (const { message, count: n } of r.simulatorErrors ?? []) problems.push(`simulators saw ${n} × ${message}`);
  out.push('');
  out.push(problems.length ? 'Seen along the way (stream errors after the kill are expected: they are the moves):' : 'Seen along the way: nothing (no error, no controller warning).');
  if (problems.length) {
    out.push('');
    for (const problem of problems.slice(0, 20)) out.push(`- ${cell(problem).slice(0, 1200)}`);
  }
  return out.join('\n');
}

/** The benchmark as run.mjs runs it: the run, then its markdown section. */
export async function benchmark() {
  const size = Number(process.env.BENCH_CLUSTER_AGENTS ?? 2000);
  if (!(Number.isInteger(size) && size >= CONTROLLERS && size <= 10_000)) throw new Error(`BENCH_CLUSTER_AGENTS must be an integer in [${CONTROLLERS}, 10000]`);
  const windowS = Number(process.env.BENCH_CLUSTER_WINDOW_S ?? 30);
  if (!(windowS > 0 && windowS <= 300)) throw new Error('BENCH_CLUSTER_WINDOW_S must be in (0, 300]');
  const workerCount = Math.max(1, Math.min(16, Number(process.env.BENCH_CLUSTER_WORKERS ?? 4) || 4));
  let result;
  try {
    result = await runCluster({ size, workerCount, windowS });
  } catch (error) {
    log(`failed: ${error instanceof Error ? error.stack : String(error)}`);
    killAllChildren();
    result = { size, workers: workerCount, windowS, errors: [], failure: error instanceof Error ? error.message : String(error) };
  }
  const ok = verdicts(result).every((line) => line.pass);
  return { id: 'controller-cluster', title: TITLE, markdown: markdown(result), result, ok };
}

// Alone: prints the results as JSON, then the section.
runWhenMain(import.meta.url, 'controller-cluster', benchmark);
