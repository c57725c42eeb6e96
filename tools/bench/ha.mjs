// High availability (issue 4), on the multi-host test bed (@imagelib/testbed, as root): three hosts,
// each in its own network namespace on a bridge (its own address, a veth to the controller's side)
// and its own mount namespace with a local disk (a directory per host) at the same repository path.
//
// - Detection: kill -9 an agent, or cut its link (the veth goes down: its connections go silent),
//   then poll GET /api/v1/endpoints every 20 ms until the host is out of the healthy list; 10 of
//   each, median. Anchors from the issue: Pacemaker 30-60 s, Kubernetes 40-50 s, Consul 4-24 s.
// - No false offline: 60 s of downloads from every host at once (bounded), the endpoint list polled
//   every 100 ms: any healthy host seen unhealthy is counted.
// - Replication: a 1 GiB image uploaded to host-1 is copied by host-2 and host-3 (pulled through the
//   image service, SHA-512 checked, fsynced); against nginx serving the same file in the same run.
// - Failover cost: a client download (libs/client) of a 256 MiB image, slowed by its reader, whose
//   serving host is killed -9 (or has its link cut) a third of the way: the longest pause between
//   two chunks the client received, and the whole download's time against one without a fault.
//
// Env: BENCH_HA_ROUNDS (10), BENCH_HA_LOAD_S (60), BENCH_HA_REPLICA_MIB (1024), BENCH_HA_FAILOVER_RUNS (3).
import { execFileSync } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { HostNetwork } from '@imagelib/testbed';
import { ImageLibraryClient } from '@imagelib/client';
import { BenchAgent, waitUntil } from './lib/agent.mjs';
import { onExit, trackTempDir, waitForExit } from './lib/children.mjs';
import { freePort, startController } from './lib/controller.mjs';
import { writeRandomFile } from './lib/data.mjs';
import { download, uploadChunked } from './lib/http.mjs';
import { ensureDebianPackages, startNginx } from './lib/peers.mjs';
import { fixed, median, percentile } from './lib/stats.mjs';

const REPOSITORY = '/srv/imagelib-bench-ha/images';
const PORT = 9292;
const HOSTS = 3;

const setting = (name, fallback) => {
  const value = Number(process.env[name] ?? fallback);
  if (!Number.isFinite(value) || value <= 0) throw new Error(`${name} must be a positive number`);
  return value;
};

function log(message) {
  process.stderr.write(`[bench] ha: ${message}\n`);
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

class Bed {
  constructor(work) {
    this.work = work;
    this.network = new HostNetwork(process.pid, HOSTS);
    this.agents = [];
  }

  async start() {
    this.network.create();
    onExit(() => this.network.destroy());
    await mkdir(REPOSITORY, { recursive: true });
    const gateway = this.network.plan.gateway;
    this.controller = await startController({ env: { IMAGELIB_GRPC_HOST: gateway, IMAGELIB_TLS_SANS: gateway }, logLevel: 'info' });
    for (const [i, host] of this.network.plan.hosts.entries()) {
      const disk = join(this.work, `disk-${i + 1}`);
      await mkdir(disk, { recursive: true });
      const agent = new BenchAgent(this.controller, { hostname: `ha-host-${i + 1}`, args: ['--image-api-auth', 'none'], logLevel: 'warn', launcher: this.network.launcher(i, disk, REPOSITORY), bindAddress: host.address });
      await agent.enrol();
      await agent.assignImageLibrary({ repositoryPath: REPOSITORY, port: PORT });
      this.agents.push(agent);
    }
    await this.waitAllHealthy();
  }

  async endpoints() {
    return (await this.controller.api('GET', '/api/v1/endpoints')).catalog[0]?.endpoints ?? [];
  }

  async waitAllHealthy(timeoutMs = 60_000) {
    await waitUntil('every host healthy', async () => (await this.endpoints()).filter((e) => e.healthy).length === HOSTS, { timeoutMs, everyMs: 100 });
  }

  /**
   * Waits until every host has been healthy at every poll for `steadyMs`: right after a link comes
   * back, a host may drop once more (TCP's retransmission backoff on the old connection can hold the
   * controller's welcome past the stream's TTL), which is the fault's aftermath, not the load's.
   */
  async waitSteadilyHealthy(steadyMs = 5_000, timeoutMs = 60_000) {
    let since = Date.now();
    await waitUntil(`every host healthy for ${steadyMs} ms`, async () => {
      if ((await this.endpoints()).filter((e) => e.healthy).length !== HOSTS) since = Date.now();
      return Date.now() - since >= steadyMs;
    }, { timeoutMs, everyMs: 100 });
  }

  /** Milliseconds from now until the host is out of the healthy endpoints (polled every 20 ms). */
  async timeUntilUnhealthy(hostname, since) {
    await waitUntil(`${hostname} out of the healthy endpoints`, async () => (await this.endpoints()).some((e) => e.hostname === hostname && !e.healthy), { timeoutMs: 30_000, everyMs: 20 });
    return Date.now() - since;
  }

  async stop() {
    for (const agent of this.agents) await agent.destroy();
    await this.controller?.stop();
    this.network.destroy();
  }
}

async function measureDetection(bed, rounds) {
  const killed = [];
  const cut = [];
  for (let round = 0; round < rounds; round++) {
    const index = round % HOSTS;
    const agent = bed.agents[index];
    let since = Date.now();
    agent.child.kill('SIGKILL');
    killed.push(await bed.timeUntilUnhealthy(agent.hostname, since));
    // Seen unhealthy may come before this process saw its child exit.
    await waitForExit(agent.child, 10_000);
    agent.start();
    await bed.waitAllHealthy();
    since = Date.now();
    bed.network.cutLink(index);
    try {
      cut.push(await bed.timeUntilUnhealthy(agent.hostname, since));
    } finally {
      bed.network.restoreLink(index);
    }
    await bed.waitAllHealthy();
    log(`detection round ${round + 1}: kill -9 ${killed.at(-1)} ms, link cut ${cut.at(-1)} ms`);
  }
  return { killed, cut };
}

/** Downloads from every host at once for `seconds` while watching the endpoint list for a false offline. */
async function measureFalseOffline(bed, imageId, seconds) {
  const until = Date.now() + seconds * 1000;
  const seen = { polls: 0, unhealthy: [], downloads: 0, bytes: 0, disconnects: {} };
  const reasonsBefore = { ...bed.controller.log.disconnectReasons };
  const loaders = bed.agents.flatMap((agent) =>
    [0, 1].map(async () => {
      while (Date.now() < until) {
        const result = await download(`${agent.url}/v2/images/${imageId}/file`, { maxTimeS: 60 });
        seen.downloads++;
        seen.bytes += result.downloaded;
      }
    }),
  );
  const watcher = (async () => {
    while (Date.now() < until) {
      const endpoints = await bed.endpoints();
      seen.polls++;
      for (const endpoint of endpoints) if (!endpoint.healthy) seen.unhealthy.push(`${endpoint.hostname}: ${endpoint.reason}`);
      await sleep(100);
    }
  })();
  await Promise.all([...loaders, watcher]);
  for (const [why, count] of Object.entries(bed.controller.log.disconnectReasons)) if (count > (reasonsBefore[why] ?? 0)) seen.disconnects[why] = count - (reasonsBefore[why] ?? 0);
  return seen;
}

/** Creates an image through the host's Glance API and uploads the file to it as glanceclient does. */
async function uploadImage(agent, name, path) {
  const response = await fetch(`${agent.url}/v2/images`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ name, disk_format: 'raw', container_format: 'bare' }) });
  if (response.status !== 201) throw new Error(`POST /v2/images on ${agent.hostname}: HTTP ${response.status}`);
  const created = await response.json();
  await uploadChunked(`${agent.url}/v2/images/${created.id}/file`, { file: path });
  return created;
}

async function statusesOf(bed, imageId) {
  const view = await bed.controller.api('GET', `/api/v1/images/${imageId}`);
  return Object.fromEntries(view.hosts.map((h) => [h.hostname, h.status]));
}

async function measureReplication(bed, work, mib) {
  const path = join(work, 'replica.raw');
  log(`writing ${mib} MiB of random data`);
  const sha512 = await writeRandomFile(path, mib * 2 ** 20);
  const bytes = (await stat(path)).size;
  const nginx = await startNginx({ prefix: join(work, 'nginx'), port: await freePort(), files: { 'replica.raw': path } });
  let nginxMBps;
  try {
    await download(`${nginx.url}/replica.raw`);
    const timed = await download(`${nginx.url}/replica.raw`);
    nginxMBps = timed.downloaded / 1e6 / timed.seconds;
  } finally {
    await nginx.stop();
  }
  const created = await uploadImage(bed.agents[0], 'replica', path);
  const uploadedAt = Date.now();
  const done = {};
  await waitUntil(
    'the copies on host-2 and host-3',
    async () => {
      const statuses = await statusesOf(bed, created.id);
      for (const agent of bed.agents.slice(1)) if (statuses[agent.hostname] === 'ok' && !done[agent.hostname]) done[agent.hostname] = Date.now() - uploadedAt;
      return bed.agents.slice(1).every((agent) => done[agent.hostname]);
    },
    { timeoutMs: 600_000, everyMs: 100 },
  );
  const copies = await Promise.all(
    bed.agents.slice(1).map(async (agent) => {
      const response = await fetch(`${agent.url}/v2/images/${created.id}`);
      const document = await response.json();
      return { hostname: agent.hostname, seconds: done[agent.hostname] / 1000, hashRight: document.os_hash_value === sha512 };
    }),
  );
  const slowest = Math.max(...copies.map((c) => c.seconds));
  await rm(path, { force: true });
  return { bytes, nginxMBps, copies, aggregateMBps: (2 * bytes) / 1e6 / slowest, perCopyMBps: bytes / 1e6 / slowest };
}

/** A client download slowed to about `bytesPerSecond` by its reader; `fault` runs once `faultAt` bytes have arrived. */
async function timedDownload(client, imageId, bytesPerSecond, faultAt, fault) {
  const started = Date.now();
  let received = 0;
  let last = started;
  let longestGap = 0;
  let faulted = false;
  const sink = new Writable({
    highWaterMark: 256 * 1024,
    write(chunk, _encoding, done) {
      const now = Date.now();
      longestGap = Math.max(longestGap, now - last);
      received += chunk.length;
      if (!faulted && fault && received >= faultAt) {
        faulted = true;
        fault();
      }
      const wait = Math.max(0, started + (received / bytesPerSecond) * 1000 - Date.now());
      setTimeout(() => {
        last = Date.now();
        done();
      }, wait);
    },
  });
  const result = await client.downloadImage(imageId, sink);
  return { ms: Date.now() - started, longestGap, result };
}

/** The test-bed host that has an established connection from this machine's side to its image API. */
function servingHostIndex(bed) {
  const lines = execFileSync('ss', ['-tnH', 'state', 'established', `( dport = :${PORT} )`], { encoding: 'utf8' });
  return bed.network.plan.hosts.findIndex((host) => lines.includes(`${host.address}:${PORT}`));
}

async function measureFailover(bed, work, runs) {
  const path = join(work, 'failover.raw');
  const mib = 256;
  await writeRandomFile(path, mib * 2 ** 20);
  const created = await uploadImage(bed.agents[0], 'failover', path);
  await waitUntil('the failover image ok everywhere', async () => Object.values(await statusesOf(bed, created.id)).filter((s) => s === 'ok').length === HOSTS, { timeoutMs: 300_000, everyMs: 200 });
  const client = new ImageLibraryClient({
    token: 'unused',
    controller: { url: bed.controller.httpUrl, token: bed.controller.adminToken, refreshIntervalMs: 1_000 },
    connectTimeoutMs: 1_000,
    responseTimeoutMs: 2_000,
    deadlineMs: 60_000,
    transferDeadlineMs: 120_000,
  });
  const bytes = mib * 1024 * 1024;
  const rate = 64 * 1024 * 1024;
  const results = { clean: [], kill: [], cut: [] };
  for (let run = 0; run < runs; run++) {
    results.clean.push(await timedDownload(client, created.id, rate));
    for (const kind of ['kill', 'cut']) {
      let victim = -1;
      const fault = () => {
        victim = servingHostIndex(bed);
        if (victim < 0) return;
        if (kind === 'kill') bed.agents[victim].child.kill('SIGKILL');
        else bed.network.cutLink(victim);
      };
      const outcome = await timedDownload(client, created.id, rate, bytes / 3, fault);
      outcome.victim = victim;
      results[kind].push(outcome);
      if (victim >= 0) {
        if (kind === 'kill') {
          await waitForExit(bed.agents[victim].child, 10_000);
          bed.agents[victim].start();
        }
        else bed.network.restoreLink(victim);
      }
      await bed.waitAllHealthy();
      await sleep(1_500);
      log(`failover run ${run + 1} ${kind}: ${outcome.ms} ms, longest pause ${outcome.longestGap} ms, ${outcome.result.resumes} resumed`);
    }
  }
  await rm(path, { force: true });
  return { bytes, rate, results };
}

export async function benchmark() {
  const title = '## High availability: detection, replication and failover on the multi-host test bed';
  if (process.getuid?.() !== 0) {
    return { id: 'ha', title, ok: false, markdown: `${title}\n\nNot run: the test bed (network and mount namespaces) needs root.` };
  }
  ensureDebianPackages({ nginx: 'nginx', curl: 'curl', ss: 'iproute2' }, log);
  const rounds = setting('BENCH_HA_ROUNDS', 10);
  const loadS = setting('BENCH_HA_LOAD_S', 60);
  const replicaMiB = setting('BENCH_HA_REPLICA_MIB', 1024);
  const failoverRuns = setting('BENCH_HA_FAILOVER_RUNS', 3);
  const work = await mkdtemp(join(tmpdir(), 'imagelib-bench-ha-'));
  trackTempDir(work);
  // nginx's workers run as nobody: they must be able to reach the data through this directory.
  await chmod(work, 0o755);
  const bed = new Bed(work);
  const r = {};
  try {
    await bed.start();
    log('bed up: 3 hosts');
    r.detection = await measureDetection(bed, rounds);
    r.replication = await measureReplication(bed, work, replicaMiB);
    r.failover = await measureFailover(bed, work, failoverRuns);
    const imageId = (await bed.controller.api('GET', '/api/v1/images')).find((image) => image.name === 'failover')?.id;
    await bed.waitSteadilyHealthy();
    log(`${loadS} s of downloads from every host`);
    r.load = await measureFalseOffline(bed, imageId, loadS);
  } finally {
    await bed.stop();
    await rm(work, { recursive: true, force: true });
  }
  return report(r, { rounds, loadS, replicaMiB, failoverRuns });
}

function report(r, o) {
  const d = r.detection;
  const killMedian = median(d.killed);
  const cutMedian = median(d.cut);
  const rows = [
    { target: 'kill -9 → out of the endpoint list, median of 10: ≤ 1 s', measured: `${fixed(killMedian, 0)} ms`, pass: killMedian <= 1000 },
    { target: 'link cut → out of the endpoint list, median of 10: ≤ 3 s', measured: `${fixed(cutMedian, 0)} ms`, pass: cutMedian <= 3000 },
    { target: `no false offline during a ${o.loadS} s load run`, measured: `${r.load.unhealthy.length} unhealthy sightings in ${r.load.polls} polls`, pass: r.load.unhealthy.length === 0 },
    { target: 'replicated copies have the right SHA-512', measured: r.replication.copies.map((c) => `${c.hostname}: ${c.hashRight ? 'right' : 'WRONG'}`).join(', '), pass: r.replication.copies.every((c) => c.hashRight) },
  ];
  const out = [];
  out.push('## High availability: detection, replication and failover on the multi-host test bed');
  out.push('');
  out.push(
    'Three hosts on the multi-host test bed (`libs/testbed`, as root): each agent runs in its own network namespace, with its own address on a bridge whose other side is the controller\'s gRPC address, and in its own mount namespace with a local disk (a directory per host) at the same repository path. Heartbeats at the default interval (1 s; a silent stream is declared dead after 2.5 intervals). The endpoint list is polled every 20 ms (`GET /api/v1/endpoints`), so a figure includes up to one poll.',
  );
  out.push('');
  out.push('| Target | Measured | Result |');
  out.push('|---|---|:---:|');
  for (const row of rows) out.push(`| ${row.target} | ${row.measured} | ${row.pass ? 'PASS' : 'FAIL'} |`);
  out.push('');
  out.push('### Detection');
  out.push('');
  out.push('| Fault | Median (ms) | p90 (ms) | Max (ms) | All rounds (ms) |');
  out.push('|---|---:|---:|---:|---|');
  for (const [name, values] of [['kill -9 of the agent', d.killed], ['link cut (veth down)', d.cut]]) {
    const sorted = [...values].sort((a, b) => a - b);
    out.push(`| ${name} | ${fixed(median(values), 0)} | ${fixed(percentile(sorted, 90), 0)} | ${fixed(sorted.at(-1), 0)} | ${values.join(', ')} |`);
  }
  out.push('');
  out.push('Anchors (issue 4): Pacemaker\'s monitor 30-60 s, Kubernetes 40-50 s, Consul 4-24 s.');
  out.push('');
  out.push(`Load run (once every host has been healthy for 5 s after the failover runs): ${o.loadS} s of downloads of a 256 MiB image, two curl streams per host at once (${r.load.downloads} downloads, ${fixed(r.load.bytes / 1e9, 1)} GB), the endpoint list polled ${r.load.polls} times: ${r.load.unhealthy.length ? `unhealthy sightings: ${r.load.unhealthy.slice(0, 10).join('; ')}` : 'every host healthy at every poll'}.${Object.keys(r.load.disconnects).length ? ` Disconnects the controller logged meanwhile: ${Object.entries(r.load.disconnects).map(([why, n]) => `${n} × ${why}`).join('; ')}.` : ''}`);
  out.push('');
  out.push('### Replication host to host');
  out.push('');
  const rep = r.replication;
  out.push(`A ${fixed(rep.bytes / 2 ** 30, 2)} GiB image of random data uploaded to host-1; host-2 and host-3 each pull it from an \`ok\` host through the image service at once (size and SHA-512 verified, fsynced, renamed). Time from the upload's 204 to the copy shown \`ok\` by \`GET /api/v1/images/{id}\` (polled every 100 ms).`);
  out.push('');
  out.push('| Copy | Seconds | MB/s |');
  out.push('|---|---:|---:|');
  for (const copy of rep.copies) out.push(`| ${copy.hostname} | ${fixed(copy.seconds, 2)} | ${fixed(rep.bytes / 1e6 / copy.seconds, 0)} |`);
  out.push(`| both (bytes copied / slowest) | | ${fixed(rep.aggregateMBps, 0)} |`);
  out.push(`| nginx, same file, 1 stream over loopback, same run | | ${fixed(rep.nginxMBps, 0)} |`);
  out.push('');
  out.push(`Per copy ${fixed(rep.perCopyMBps, 0)} MB/s = ${fixed((100 * rep.perCopyMBps) / rep.nginxMBps, 0)} % of nginx's one-stream rate; both copies together ${fixed((100 * rep.aggregateMBps) / rep.nginxMBps, 0)} %. The receiving agent fetches the data (Node's fetch, written chunk by chunk), then hashes the whole file (SHA-512) and fsyncs it before the rename; which of these bounds the rate has not been profiled.`);
  out.push('');
  out.push('### Failover cost');
  out.push('');
  const f = r.failover;
  out.push(`A client download (\`libs/client\`, connect timeout 1 s, response timeout 2 s) of a ${fixed(f.bytes / 2 ** 20, 0)} MiB image, its reader paced at ${fixed(f.rate / 2 ** 20, 0)} MiB/s; a third of the way the host serving it (found with \`ss\`) is killed -9, or its link is cut. "Longest pause": the longest time between two chunks reaching the client. ${o.failoverRuns} runs of each.`);
  out.push('');
  out.push('| Download | Total (ms, median) | Longest pause (ms, median) | All runs: total / pause (ms) | Resumed with Range |');
  out.push('|---|---:|---:|---|---:|');
  for (const [name, runs] of [['no fault', f.results.clean], ['serving host killed -9', f.results.kill], ['serving host link cut', f.results.cut]]) {
    out.push(`| ${name} | ${fixed(median(runs.map((x) => x.ms)), 0)} | ${fixed(median(runs.map((x) => x.longestGap)), 0)} | ${runs.map((x) => `${x.ms} / ${x.longestGap}`).join(', ')} | ${runs.reduce((n, x) => n + x.result.resumes, 0)} |`);
  }
  out.push('');
  out.push(`Client-visible delay of a failover (median total minus the median without a fault): kill -9 ${fixed(median(f.results.kill.map((x) => x.ms)) - median(f.results.clean.map((x) => x.ms)), 0)} ms, link cut ${fixed(median(f.results.cut.map((x) => x.ms)) - median(f.results.clean.map((x) => x.ms)), 0)} ms (a silent link is noticed by the client's response timeout).`);
  return { id: 'ha', markdown: out.join('\n'), ok: rows.every((row) => row.pass) };
}
