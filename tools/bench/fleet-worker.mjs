// One slice of a simulated agent fleet, run as a child process of agent-fleet.mjs and
// controller-cluster.mjs (fork with IPC).
//
// It enrols `count` agents with the join token (bounded concurrency), opens one authenticated
// Connect stream per agent, each on its own TCP connection with its own client certificate,
// sends hello and then a heartbeat every heartbeatIntervalMs, as the controller's welcome says,
// and measures every heartbeat's round trip (heartbeat written → its ack read).
// Several controllers: every agent has the list of all their addresses and starts at its own
// (agent index modulo the list's length), so the fleet spreads evenly. When its stream breaks, or
// a connection fails, it moves to the next address after a jittered backoff, as the real agent
// does (apps/agent/src/link/backoff.ts: full jitter, 250 ms doubling up to 5 s, reset by a welcome).
//
// Config: JSON in argv[2]: { addresses, caPath, joinToken, startIndex, count, maxDurationMs,
//   enrolConcurrency, connectConcurrency, workerId }.
// IPC to the parent: { type: 'status', ... } every 2 s and { type: 'ready', ... } once every agent
//   was tried; on { type: 'window-start' } it resets its window counters, on { type: 'window-end' }
//   it answers { type: 'window', ... } with the RTT samples of the window (also per address);
//   on { type: 'watch', address } it answers { type: 'watching', expected } (its agents connected
//   there now) and later { type: 'settled', ... } once every one of those lost its stream and every
//   agent of this worker has an open stream again; { type: 'stop' } ends it.
// It exits by itself after maxDurationMs, and when the parent goes away.
import * as grpc from '@grpc/grpc-js';
import { loadImagelibV1 } from '@imagelib/proto';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

const config = JSON.parse(process.argv[2] ?? '{}');
const {
  addresses = [],
  caPath,
  joinToken,
  startIndex = 0,
  count = 0,
  maxDurationMs = 600_000,
  enrolConcurrency = 5,
  connectConcurrency = 25,
  workerId = 0,
} = config;
if (addresses.length === 0 || !caPath || !joinToken || !count || typeof process.send !== 'function') {
  process.stderr.write('fleet-worker: run it from agent-fleet.mjs or controller-cluster.mjs (fork with IPC and a JSON config argument)\n');
  process.exit(2);
}

const TLS_NAME = 'imagelib-controller';
const MAX_ENROL_ATTEMPTS = 3;
/** Connection attempts in a row (each to the next address) before an agent gives up. */
const MAX_CONNECT_ATTEMPTS = 20;
const BACKOFF_BASE_MS = 250;
const BACKOFF_CAP_MS = 5_000;
const BACKOFF_MIN_MS = 50;
const ENROL_DEADLINE_MS = 60_000;
const WELCOME_TIMEOUT_MS = 30_000;
const MAX_ERROR_KINDS = 20;

const caPem = readFileSync(caPath);
const { AgentGateway } = loadImagelibV1();
const baseOptions = {
  'grpc.ssl_target_name_override': TLS_NAME,
  'grpc.default_authority': TLS_NAME,
  // Matched with the controller's server options (and what the agent uses).
  'grpc.keepalive_time_ms': 10_000,
  'grpc.keepalive_timeout_ms': 5_000,
  'grpc.keepalive_permit_without_calls': 1,
};

let stopping = false;
/** As the controller's welcome says. */
let heartbeatIntervalMs = null;
const startedAt = Date.now();

// ---- counters -------------------------------------------------------------------------------
const totals = {
  enrolled: 0,
  enrolFailed: 0,
  enrolRetries: 0,
  connectedNow: 0,
  everConnected: 0,
  connectFailed: 0,
  streamErrors: 0,
  streamEnds: 0,
  reconnects: 0,
  heartbeatsSent: 0,
  acks: 0,
  unexpectedAcks: 0,
};
/** Distinct error messages (with counts), for the report. */
const errorKinds = new Map();
function noteError(where, error) {
  // Durations folded ("no heartbeat for N ms"), so that one kind is counted as one.
  const message = `${where}: ${error?.code !== undefined ? `code ${error.code} ` : ''}${error?.details ?? error?.message ?? String(error)}`.replace(/\b\d+ ms\b/g, 'N ms');
  if (errorKinds.has(message) || errorKinds.size < MAX_ERROR_KINDS) errorKinds.set(message, (errorKinds.get(message) ?? 0) + 1);
}

let window = null;
function newWindow() {
  return { startedAt: performance.now(), rtts: [], rttsByAddress: Object.fromEntries(addresses.map((address) => [address, []])), sent: 0, acked: 0, streamErrors: 0, streamEnds: 0, reconnects: 0, disconnects: 0 };
}
/** After { type: 'watch' }: the agents connected to the watched address then, and when each lost and regained a stream. */
let watch = null;
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

// ---- agents ---------------------------------------------------------------------------------
/** @type {Array<any>} */
const agents = [];
for (let i = 0; i < count; i++) {
  const index = startIndex + i;
  agents.push({
    index,
    hostname: `sim-${index}`,
    hostId: null,
    privateKeyPem: null,
    certificatePem: null,
    credentials: null,
    /** The address (index into addresses) it dials next, and the one its client is for. */
    target: index % addresses.length,
    client: null,
    clientTarget: null,
    /** The address its open stream is on (null when it has none). */
    connectedTo: null,
    call: null,
    timer: null,
    seq: 0,
    pending: new Map(),
    connected: false,
    backoffAttempt: 0,
  });
}

async function pool(items, concurrency, fn) {
  let next = 0;
  const runners = Array.from({ length: Math.min(concurrency, items.length) }, async () => {
    while (!stopping && next < items.length) {
      const item = items[next++];
      await fn(item);
    }
  });
  await Promise.all(runners);
}

function enrolOnce(client, agent, publicKeyPem) {
  return new Promise((resolve, reject) => {
    client.Enroll(
      { joinToken, hostname: agent.hostname, region: 'default', publicKeyPem, agentVersion: 'bench' },
      { deadline: Date.now() + ENROL_DEADLINE_MS },
      (error, response) => (error ? reject(error) : resolve(response)),
    );
  });
}

/** Enrols through the agent's own first address, then the next ones on a transient error. */
async function enrol(clients, agent) {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' });
  agent.privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  for (let attempt = 1; attempt <= MAX_ENROL_ATTEMPTS && !stopping; attempt++) {
    try {
      const response = await enrolOnce(clients[(agent.target + attempt - 1) % clients.length], agent, publicKeyPem);
      agent.hostId = response.hostId;
      agent.certificatePem = response.certificatePem;
      totals.enrolled++;
      return;
    } catch (error) {
      noteError('enrol', error);
      const transient = error?.code === grpc.status.UNAVAILABLE || error?.code === grpc.status.DEADLINE_EXCEEDED || error?.code === grpc.status.RESOURCE_EXHAUSTED;
      if (!transient || attempt === MAX_ENROL_ATTEMPTS) break;
      totals.enrolRetries++;
      await sleep(500 * attempt);
    }
  }
  totals.enrolFailed++;
}

function stopHeartbeats(agent) {
  if (agent.timer) clearInterval(agent.timer);
  agent.timer = null;
  agent.pending.clear();
}

function markDown(agent, kind, error) {
  if (agent.connected) {
    agent.connected = false;
    agent.connectedTo = null;
    totals.connectedNow--;
    if (window) window.disconnects++;
    if (watch?.expected.has(agent) && !watch.lostAt.has(agent)) watch.lostAt.set(agent, Date.now());
  }
  stopHeartbeats(agent);
  if (kind === 'error') {
    totals.streamErrors++;
    if (window) window.streamErrors++;
    noteError('stream', error);
  } else {
    totals.streamEnds++;
    if (window) window.streamEnds++;
    noteError('stream', { message: 'the controller ended the stream' });
  }
}

/** The agent's client for the address it dials next (the one for another address is closed). */
function clientFor(agent) {
  if (agent.client && agent.clientTarget === agent.target) return agent.client;
  agent.client?.close();
  agent.credentials ??= grpc.credentials.createSsl(caPem, Buffer.from(agent.privateKeyPem), Buffer.from(agent.certificatePem));
  // A distinct local subchannel pool per agent: its own TCP + TLS connection, as a real agent.
  agent.client = new AgentGateway(addresses[agent.target], agent.credentials, { ...baseOptions, 'grpc.use_local_subchannel_pool': 1 });
  agent.clientTarget = agent.target;
  return agent.client;
}

/** Opens the agent's stream on addresses[agent.target]; resolves on welcome, or false when it failed before it. */
function connect(agent) {
  return new Promise((resolve) => {
    const client = clientFor(agent);
    const address = addresses[agent.target];
    const call = client.Connect();
    agent.call = call;
    let settled = false;
    let welcomed = false;
    let down = false;
    const settle = (value) => {
      if (settled) return;
      settled = true;
      clearTimeout(welcomeTimer);
      resolve(value);
    };
    const welcomeTimer = setTimeout(() => {
      noteError('connect', { message: `no welcome within ${WELCOME_TIMEOUT_MS} ms` });
      call.cancel();
      settle(false);
    }, WELCOME_TIMEOUT_MS);

    call.on('data', (message) => {
      if (message.welcome) {
        welcomed = true;
        agent.connected = true;
        agent.connectedTo = address;
        agent.backoffAttempt = 0;
        totals.connectedNow++;
        totals.everConnected++;
        if (watch?.lostAt.has(agent) && !watch.backAt.has(agent)) watch.backAt.set(agent, Date.now());
        checkSettled();
        const interval = message.welcome.heartbeatIntervalMs || 1000;
        heartbeatIntervalMs = interval;
        agent.timer = setInterval(() => heartbeat(agent, call), interval);
        settle(true);
      } else if (message.heartbeatAck) {
        const sentAt = agent.pending.get(message.heartbeatAck.seq);
        if (sentAt === undefined) {
          totals.unexpectedAcks++;
          return;
        }
        agent.pending.delete(message.heartbeatAck.seq);
        totals.acks++;
        if (window && sentAt >= window.startedAt) {
          const rtt = Math.round((performance.now() - sentAt) * 1000) / 1000;
          window.acked++;
          window.rtts.push(rtt);
          window.rttsByAddress[address].push(rtt);
        }
      }
      // desiredState: nothing to do for a simulated agent without roles.
    });
    call.on('error', (error) => {
      if (call !== agent.call) return;
      if (!welcomed) {
        if (!settled) noteError('connect', error);
        settle(false);
        return;
      }
      if (!stopping && !down) {
        down = true;
        markDown(agent, 'error', error);
        void reconnectLater(agent);
      }
    });
    call.on('end', () => {
      if (call !== agent.call) return;
      if (!welcomed) {
        if (!settled) noteError('connect', { message: 'the controller ended the stream before its welcome' });
        settle(false);
        return;
      }
      if (!stopping && !down) {
        down = true;
        markDown(agent, 'end');
        void reconnectLater(agent);
      }
    });
    call.write({
      hello: {
        agentVersion: 'bench',
        facts: {
          hostname: agent.hostname,
          addresses: ['127.0.0.1'],
          os: { platform: 'linux', distro: 'bench', release: '1', kernel: 'sim', arch: 'x64' },
          cpu: { brand: 'simulated', cores: 1, physicalCores: 1, speedGhz: 1 },
          memory: { totalBytes: 1 << 30, availableBytes: 1 << 29 },
          repositories: [],
        },
        roles: [],
      },
    });
  });
}

function heartbeat(agent, call) {
  if (stopping || call !== agent.call || !agent.connected) return;
  const seq = ++agent.seq;
  agent.pending.set(seq, performance.now());
  // A heartbeat without an ack for this long is lost; keep the map bounded.
  if (agent.pending.size > 100) agent.pending.delete(agent.pending.keys().next().value);
  totals.heartbeatsSent++;
  if (window) window.sent++;
  call.write({ heartbeat: { seq, sentAtMs: Date.now() } });
}

/** Full jitter over a doubling ceiling, as the agent's Backoff; a welcome resets it. */
function backoffMs(agent) {
  const ceiling = Math.min(BACKOFF_CAP_MS, BACKOFF_BASE_MS * 2 ** agent.backoffAttempt);
  agent.backoffAttempt = Math.min(agent.backoffAttempt + 1, 30);
  return Math.max(BACKOFF_MIN_MS, Math.floor(Math.random() * ceiling));
}

/** Connects, moving to the next address after a backoff whenever an attempt fails (bounded); false when it gave up. */
async function connectWithRetries(agent) {
  for (let attempt = 1; attempt <= MAX_CONNECT_ATTEMPTS && !stopping; attempt++) {
    if (await connect(agent)) return true;
    agent.target = (agent.target + 1) % addresses.length;
    if (attempt < MAX_CONNECT_ATTEMPTS) {
      totals.reconnects++;
      if (window) window.reconnects++;
      await sleep(backoffMs(agent));
    }
  }
  totals.connectFailed++;
  return false;
}

/** A broken stream: the next address, after a backoff. */
async function reconnectLater(agent) {
  agent.target = (agent.target + 1) % addresses.length;
  totals.reconnects++;
  if (window) window.reconnects++;
  await sleep(backoffMs(agent));
  if (!stopping) await connectWithRetries(agent);
}

function startWatch(address) {
  const expected = new Set(agents.filter((agent) => agent.connectedTo === address));
  watch = { address, startedAt: Date.now(), expected, lostAt: new Map(), backAt: new Map(), settled: false };
  process.send({ type: 'watching', workerId, address, expected: expected.size });
  checkSettled();
}

/** Once every watched agent lost its stream and every agent has one again: { type: 'settled' }. */
function checkSettled() {
  if (!watch || watch.settled) return;
  if (watch.backAt.size < watch.expected.size || totals.connectedNow < totals.enrolled) return;
  watch.settled = true;
  const lost = [...watch.lostAt.values()];
  process.send({
    type: 'settled',
    workerId,
    at: Date.now(),
    expected: watch.expected.size,
    firstLossAt: lost.length ? Math.min(...lost) : null,
    lastLossAt: lost.length ? Math.max(...lost) : null,
    /** Per agent that lost its stream: loss → welcome from another controller, ms. */
    reconnectMs: [...watch.backAt].map(([agent, at]) => at - watch.lostAt.get(agent)),
    connectedByAddress: connectedByAddress(),
  });
}

function connectedByAddress() {
  const counts = Object.fromEntries(addresses.map((address) => [address, 0]));
  for (const agent of agents) if (agent.connectedTo) counts[agent.connectedTo]++;
  return counts;
}

function status(type) {
  process.send({
    type,
    workerId,
    pid: process.pid,
    elapsedMs: Date.now() - startedAt,
    count,
    ...totals,
    connectedByAddress: connectedByAddress(),
    errors: [...errorKinds].map(([message, n]) => ({ message, count: n })),
  });
}

function windowReport() {
  const w = window ?? newWindow();
  const now = performance.now();
  let overdue = 0;
  for (const agent of agents) {
    for (const sentAt of agent.pending.values()) if (sentAt >= w.startedAt && now - sentAt > 1000) overdue++;
  }
  process.send({
    type: 'window',
    workerId,
    durationMs: now - w.startedAt,
    rtts: w.rtts,
    rttsByAddress: w.rttsByAddress,
    sent: w.sent,
    acked: w.acked,
    overdue,
    streamErrors: w.streamErrors,
    streamEnds: w.streamEnds,
    disconnects: w.disconnects,
    reconnects: w.reconnects,
    connectedNow: totals.connectedNow,
    connectedByAddress: connectedByAddress(),
    heartbeatIntervalMs,
    loopDelayP99Ms: loopDelay.percentile(99) / 1e6,
    loopDelayMaxMs: loopDelay.max / 1e6,
    errors: [...errorKinds].map(([message, n]) => ({ message, count: n })),
  });
  window = null;
}

function shutdown(code) {
  if (stopping) return;
  stopping = true;
  for (const agent of agents) {
    stopHeartbeats(agent);
    try {
      agent.call?.cancel();
      agent.client?.close();
    } catch {
      // closing anyway
    }
  }
  setTimeout(() => process.exit(code ?? 0), 200).unref();
}

function sleep(ms) {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

process.on('message', (message) => {
  if (message?.type === 'window-start') {
    window = newWindow();
    loopDelay.reset();
  } else if (message?.type === 'window-end') {
    windowReport();
  } else if (message?.type === 'watch') {
    startWatch(message.address);
  } else if (message?.type === 'stop') {
    shutdown(0);
  }
});
process.on('disconnect', () => shutdown(0));
const deadline = setTimeout(() => {
  process.stderr.write(`fleet-worker ${workerId}: max duration ${maxDurationMs} ms reached, exiting\n`);
  shutdown(3);
}, maxDurationMs);
deadline.unref();
const statusTimer = setInterval(() => status('status'), 2000);
statusTimer.unref();

async function main() {
  const enrolClients = addresses.map((address) => new AgentGateway(address, grpc.credentials.createSsl(caPem), { ...baseOptions, 'grpc.use_local_subchannel_pool': 1 }));
  await pool(agents, enrolConcurrency, (agent) => enrol(enrolClients, agent));
  for (const client of enrolClients) client.close();
  status('enrolled');
  const enrolledAgents = agents.filter((agent) => agent.certificatePem);
  await pool(enrolledAgents, connectConcurrency, connectWithRetries);
  status('ready');
}

main().catch((error) => {
  noteError('worker', error);
  status('ready');
});
