// `npm run bench`: runs every benchmark in BENCHMARKS, one after the other, and writes
// docs/benchmarks.md: the machine, the command, and one section per benchmark.
//
// A benchmark is a module exporting `async function benchmark()` that returns
// `{ id, title, markdown, ok }`: its markdown section (starting with a `## ` heading) and whether
// it met its targets. Add a benchmark by adding its module to BENCHMARKS.
//
// Env: BENCH_ONLY=<id>,<id> runs only those and keeps the sections of the others from the
// docs/benchmarks.md already there (each section says when and how it was measured); each
// benchmark documents its own settings (agent-fleet: BENCH_FLEET_SIZES, BENCH_WINDOW_S,
// BENCH_FLEET_WORKERS, BENCH_CONTROLLER_LOG_LEVEL; image-service: BENCH_IMAGE_*, see
// tools/bench/image-service.mjs; ha: BENCH_HA_*, see tools/bench/ha.mjs; controller-cluster:
// BENCH_CLUSTER_*, see tools/bench/controller-cluster.mjs).
// Exit code: 0 when every benchmark ran and met its targets, 1 otherwise (the file is written anyway).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { killAllChildren } from './lib/children.mjs';
import { REPO_ROOT } from './lib/controller.mjs';
import { machine } from './lib/proc.mjs';

/** The benchmarks, in the order they run and appear in docs/benchmarks.md. */
const BENCHMARKS = [
  { id: 'agent-fleet', module: './agent-fleet.mjs', title: 'Controller with a simulated agent fleet', description: 'controller with 500 and 2,000 simulated agents (issue 2)' },
  {
    id: 'image-service',
    module: './image-service.mjs',
    title: 'Image service: data, metadata and discovery against nginx and glance-api',
    description: 'the image service of one agent against nginx and glance-api: download, upload, metadata, event-loop lag, discovery (issue 3)',
  },
  { id: 'ha', module: './ha.mjs', title: 'High availability: detection, replication and failover on the multi-host test bed', description: 'three hosts in network namespaces: failure detection, replication host to host, failover cost (issue 4)' },
  {
    id: 'controller-cluster',
    module: './controller-cluster.mjs',
    title: 'Controller cluster: simulated agents over 3 controllers on one PostgreSQL',
    description: '2,000 simulated agents over 3 controllers on one PostgreSQL: CPU, memory and database load per controller, settling after a controller is killed (issue 7)',
  },
];

/** Built outputs the benchmarks import or start, with what builds them (in dependency order): a tsc project, or an npm workspace's build script. */
const BUILT = [
  { dist: 'libs/config/dist', project: 'libs/config/tsconfig.build.json' },
  { dist: 'libs/sendfile/build/Release/sendfile.node', workspace: '@imagelib/sendfile' },
  { dist: 'libs/sendfile/dist', workspace: '@imagelib/sendfile' },
  { dist: 'libs/durable-fs/dist', project: 'libs/durable-fs/tsconfig.build.json' },
  { dist: 'libs/proto/dist', project: 'libs/proto/tsconfig.build.json' },
  { dist: 'libs/image-token/dist', project: 'libs/image-token/tsconfig.build.json' },
  { dist: 'libs/glance/dist', project: 'libs/glance/tsconfig.build.json' },
  { dist: 'libs/store/dist', project: 'libs/store/tsconfig.build.json' },
  { dist: 'libs/client/dist', project: 'libs/client/tsconfig.build.json' },
  { dist: 'libs/testbed/dist', project: 'libs/testbed/tsconfig.build.json' },
  { dist: 'apps/controller/dist/main.js', project: 'apps/controller/tsconfig.build.json' },
  { dist: 'apps/agent/dist/main.js', project: 'apps/agent/tsconfig.build.json' },
];

const OUTPUT = join(REPO_ROOT, 'docs/benchmarks.md');

function log(message) {
  process.stderr.write(`[bench] ${message}\n`);
}

/** Builds whatever is missing (only then: the bench measures the dist as built). */
function ensureBuilt() {
  for (const { dist, project, workspace } of BUILT) {
    if (existsSync(join(REPO_ROOT, dist))) continue;
    const [command, args] = workspace ? ['npm', ['run', 'build', '-w', workspace]] : ['npx', ['tsc', '-p', project]];
    log(`${dist} is missing: ${command} ${args.join(' ')}`);
    execFileSync(command, args, { cwd: REPO_ROOT, stdio: 'inherit', timeout: 300_000 });
  }
}

function gitRevision() {
  try {
    const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 10_000 }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain'], { cwd: REPO_ROOT, encoding: 'utf8', timeout: 10_000 }).trim() !== '';
    return `${commit}${dirty ? ' (with uncommitted changes)' : ''}`;
  } catch {
    return 'unknown';
  }
}

function commandLine() {
  const env = Object.entries(process.env)
    .filter(([name]) => name.startsWith('BENCH_'))
    .map(([name, value]) => `${name}=${value}`);
  return `${env.length ? `${env.join(' ')} ` : ''}npm run bench`;
}

const SECTION_START = /^<!-- bench:section id=([a-z0-9-]+) -->$/;
const SECTION_END = '<!-- /bench:section -->';

/** A section as written: between markers, with when and how it was measured under its heading. */
function wrapSection(id, markdown, { date, revision, command }) {
  const [heading, ...rest] = markdown.trimEnd().split('\n');
  return [`<!-- bench:section id=${id} -->`, heading, '', `_Measured ${date}, revision ${revision}, with \`${command}\`._`, ...rest, SECTION_END].join('\n');
}

/**
 * The sections of the benchmarks not run this time, from the document already there: between
 * markers, or (a document written before the markers) from its `## title` heading to the next
 * benchmark's heading, marked with the date, revision and command of that document's header.
 */
function carriedSections(previous, benchmarks) {
  const kept = new Map();
  if (!previous) return kept;
  const lines = previous.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const match = SECTION_START.exec(lines[i]);
    if (!match) continue;
    const end = lines.indexOf(SECTION_END, i + 1);
    if (end < 0) break;
    kept.set(match[1], lines.slice(i, end + 1).join('\n'));
    i = end;
  }
  const field = (name) => new RegExp(`^- ${name}: (.*)$`, 'm').exec(previous)?.[1]?.replace(/^`|`$/g, '') ?? 'unknown';
  for (const benchmark of benchmarks) {
    if (kept.has(benchmark.id)) continue;
    const start = lines.indexOf(`## ${benchmark.title}`);
    if (start < 0) continue;
    let end = lines.length;
    for (let j = start + 1; j < lines.length; j++) {
      if (SECTION_START.test(lines[j]) || benchmarks.some((other) => lines[j] === `## ${other.title}`)) {
        end = j;
        break;
      }
    }
    const body = lines.slice(start, end).join('\n').trim();
    kept.set(benchmark.id, wrapSection(benchmark.id, body, { date: field('Date'), revision: field('Revision').replace(/;.*$/, ''), command: field('Command') }));
  }
  return kept;
}

function header(host, revision, selected, carried) {
  return [
    '# Benchmarks',
    '',
    'Generated by `npm run bench` (`node tools/bench/run.mjs`); do not edit by hand, run it again.',
    '',
    `- Command: \`${commandLine()}\``,
    `- Date: ${host.date}`,
    `- Revision: ${revision}; the controller and the agent as built in \`apps/*/dist\``,
    `- Machine: ${host.nproc} CPU(s) (\`nproc\`), ${host.cpuModel}, ${host.memoryGiB} GiB memory, ${host.platform}`,
    `- Node.js: ${host.node}`,
    `- Load average (1, 5, 15 min) when the bench started: ${host.loadAverage.join(', ')}`,
    `- Benchmarks: ${selected.map((b) => `\`${b.id}\` (${b.description})`).join(', ')}`,
    ...(carried.length ? [`- Kept from an earlier run (not run this time; each section says when it was measured): ${carried.map((b) => `\`${b.id}\``).join(', ')}`] : []),
    '',
    'Everything runs on this one machine over 127.0.0.1: load generators share its cores with the process measured.',
    '',
  ].join('\n');
}

async function main() {
  const only = (process.env.BENCH_ONLY ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const unknown = only.filter((id) => !BENCHMARKS.some((b) => b.id === id));
  if (unknown.length) throw new Error(`BENCH_ONLY names unknown benchmark(s): ${unknown.join(', ')} (known: ${BENCHMARKS.map((b) => b.id).join(', ')})`);
  const selected = only.length ? BENCHMARKS.filter((b) => only.includes(b.id)) : BENCHMARKS;

  ensureBuilt();
  const host = machine();
  const revision = gitRevision();
  const previous = only.length ? await readFile(OUTPUT, 'utf8').catch(() => null) : null;
  const kept = carriedSections(previous, BENCHMARKS);
  const stamp = { date: host.date, revision, command: commandLine() };
  const sections = new Map();
  let ok = true;
  for (const entry of selected) {
    const started = Date.now();
    log(`${entry.id}: running`);
    try {
      const { benchmark } = await import(new URL(entry.module, import.meta.url).href);
      const outcome = await benchmark();
      sections.set(entry.id, wrapSection(entry.id, outcome.markdown, stamp));
      if (!outcome.ok) ok = false;
      log(`${entry.id}: ${outcome.ok ? 'met its targets' : 'MISSED a target or failed'} (${Math.round((Date.now() - started) / 1000)} s)`);
    } catch (error) {
      ok = false;
      killAllChildren();
      const message = error instanceof Error ? (error.stack ?? error.message) : String(error);
      log(`${entry.id}: failed: ${message}`);
      sections.set(entry.id, wrapSection(entry.id, `## ${entry.title}\n\nThe benchmark failed: \`${String(error instanceof Error ? error.message : error).replace(/`/g, "'")}\``, stamp));
    }
  }
  // Every benchmark in BENCHMARKS order: run now, or kept from the document there was.
  const carried = BENCHMARKS.filter((b) => !sections.has(b.id) && kept.has(b.id));
  const body = BENCHMARKS.map((b) => sections.get(b.id) ?? kept.get(b.id)).filter(Boolean);
  const document = `${header(host, revision, selected, carried)}\n${body.join('\n\n')}\n`;
  await mkdir(join(REPO_ROOT, 'docs'), { recursive: true });
  const temporary = `${OUTPUT}.${process.pid}.tmp`;
  await writeFile(temporary, document);
  await rename(temporary, OUTPUT);
  log(`wrote ${OUTPUT}`);
  return ok;
}

main()
  .then((ok) => {
    process.exitCode = ok ? 0 : 1;
  })
  .catch((error) => {
    log(`failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    killAllChildren();
    process.exitCode = 1;
  });
