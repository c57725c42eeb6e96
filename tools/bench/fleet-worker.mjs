// One slice of a simulated agent fleet, run as a child process of agent-fleet.mjs (fork with IPC).
//
// It enrols `count` agents with the join token (bounded concurrency), opens one authenticated
// Connect stream per agent, each on its own TCP connection with its own client certificate,
// sends hello and then a heartbeat every heartbeatIntervalMs, as the controller's welcome says,
// and measures every heartbeat's round trip (heartbeat written → its ack read).
//
// Config: JSON in argv[2]: { address, caPath, joinToken, startIndex, count, maxDurationMs,
//   enrolConcurrency, connectConcurrency, workerId }.
// IPC to the parent: { type: 'status', ... } every 2 s and { type: 'ready', ... } once every agent
//   was tried; on { type: 'window-start' } it resets its window counters, on { type: 'window-end' }
//   it answers { type: 'window', ... } with the RTT samples of the window; { type: 'stop' } ends it.
// It exits by itself after maxDurationMs, and when the parent goes away.
import * as grpc from '@grpc/grpc-js';
import { loadImagelibV1 } from '@imagelib/proto';
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

const config = JSON.parse(process.argv[2] ?? '{}');
const {
  address,
  caPath,
  joinToken,
  startIndex = 0,
  count = 0,
  maxDurationMs = 600_000,
  enrolConcurrency = 5,
  connectConcurrency = 25,
  workerId = 0,
} = config;
if (!address || !caPath || !joinToken || !count || typeof process.send !== 'function') {
  process.stderr.write('fleet-worker: run it from agent-fleet.mjs (fork with IPC and a JSON config argument)\n');
  process.exit(2);
}

const TLS_NAME = 'imagelib-controller';
const MAX_ENROL_ATTEMPTS = 3;
const MAX_RECONNECTS = 3;
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
  const message = `${where}: ${error?.code !== undefined ? `code ${error.code} ` : ''}${error?.details ?? error?.message ?? String(error)}`;
  if (errorKinds.has(message) || errorKinds.size < MAX_ERROR_KINDS) errorKinds.set(message, (errorKinds.get(message) ?? 0) + 1);
}

let window = null;
function newWindow() {
  return { startedAt: performance.now(), rtts: [], sent: 0, acked: 0, streamErrors: 0, streamEnds: 0, reconnects: 0, disconnects: 0 };
}
const loopDelay = monitorEventLoopDelay({ resolution: 10 });
loopDelay.enable();

// ---- agents ---------------------------------------------------------------------------------
/** @type {Array<any>} */
const agents = [];
for (let i = 0; i < count; i++) {
  agents.push({ index: startIndex + i, hostname: `sim-${startIndex + i}`, hostId: null, privateKeyPem: null, certificatePem: null, client: null, call: null, timer: null, seq: 0, pending: new Map(), connected: false, reconnects: 0 });
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

async function enrol(client, agent) {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const publicKeyPem = publicKey.export({ type: 'spki', format: 'pem' });
  agent.privateKeyPem = privateKey.export({ type: 'pkcs8', format: 'pem' });
  for (let attempt = 1; attempt <= MAX_ENROL_ATTEMPTS && !stopping; attempt++) {
    try {
      const response = await enrolOnce(client, agent, publicKeyPem);
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
    totals.connectedNow--;
    if (window) window.disconnects++;
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

/** Opens the agent's stream; resolves on welcome, or false when it failed before it. */
function connect(agent) {
  return new Promise((resolve) => {
    if (!agent.client) {
      const credentials = grpc.credentials.createSsl(caPem, Buffer.from(agent.privateKeyPem), Buffer.from(agent.certificatePem));
      // A distinct local subchannel pool per agent: its own TCP + TLS connection, as a real agent.
      agent.client = new AgentGateway(address, credentials, { ...baseOptions, 'grpc.use_local_subchannel_pool': 1 });
    }
    const call = agent.client.Connect();
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
        totals.connectedNow++;
        totals.everConnected++;
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
          window.acked++;
          window.rtts.push(Math.round((performance.now() - sentAt) * 1000) / 1000);
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
        reconnectLater(agent);
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
        reconnectLater(agent);
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

function reconnectLater(agent) {
  if (agent.reconnects >= MAX_RECONNECTS) return;
  agent.reconnects++;
  totals.reconnects++;
  if (window) window.reconnects++;
  setTimeout(async () => {
    if (stopping) return;
    if (!(await connect(agent))) totals.connectFailed++;
  }, 1000 * agent.reconnects);
}

function status(type) {
  process.send({
    type,
    workerId,
    pid: process.pid,
    elapsedMs: Date.now() - startedAt,
    count,
    ...totals,
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
    sent: w.sent,
    acked: w.acked,
    overdue,
    streamErrors: w.streamErrors,
    streamEnds: w.streamEnds,
    disconnects: w.disconnects,
    reconnects: w.reconnects,
    connectedNow: totals.connectedNow,
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
  const enrolClient = new AgentGateway(address, grpc.credentials.createSsl(caPem), { ...baseOptions, 'grpc.use_local_subchannel_pool': 1 });
  await pool(agents, enrolConcurrency, (agent) => enrol(enrolClient, agent));
  enrolClient.close();
  status('enrolled');
  const enrolledAgents = agents.filter((agent) => agent.certificatePem);
  await pool(enrolledAgents, connectConcurrency, async (agent) => {
    for (let attempt = 1; attempt <= MAX_RECONNECTS + 1 && !stopping; attempt++) {
      if (await connect(agent)) return;
      if (attempt <= MAX_RECONNECTS) {
        totals.reconnects++;
        await sleep(1000 * attempt);
      }
    }
    totals.connectFailed++;
  });
  status('ready');
}

main().catch((error) => {
  noteError('worker', error);
  status('ready');
});
