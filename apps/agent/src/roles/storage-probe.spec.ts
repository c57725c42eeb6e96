import { afterEach, describe, expect, it } from '@jest/globals';
import { cp, mkdtemp, rm, symlink } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { PROBE_DIRECTORY, StorageProbe, type StorageProbeView } from './storage-probe.js';

const log = pino({ level: 'silent' });
const A = '00000000-0000-4000-8000-00000000000a';
const B = '00000000-0000-4000-8000-00000000000b';
const INTERVAL_MS = 40;

describe('StorageProbe', () => {
  const probes: StorageProbe[] = [];
  const directories: string[] = [];

  afterEach(async () => {
    await Promise.all(probes.splice(0).map((probe) => probe.stop()));
    await Promise.all(directories.splice(0).map((directory) => rm(directory, { recursive: true, force: true })));
  });

  async function repository(): Promise<string> {
    const directory = await mkdtemp(join(tmpdir(), 'probe-'));
    directories.push(directory);
    return directory;
  }

  function probe(repositoryPath: string, hostId: string, unusable = () => ''): StorageProbe {
    const started = new StorageProbe({ repositoryPath, hostId, intervalMs: INTERVAL_MS, unusable, onChange: () => undefined }, log);
    started.start();
    probes.push(started);
    return started;
  }

  /** Polls until the view matches, or gives up after 200 rounds with the last view. */
  async function until(subject: StorageProbe, wanted: (view: StorageProbeView) => boolean): Promise<StorageProbeView> {
    for (let i = 0; i < 200 && !wanted(subject.current()); i++) await sleep(INTERVAL_MS / 2);
    return subject.current();
  }

  it('two hosts writing into one directory see each other, and settle', async () => {
    const shared = await repository();
    const a = probe(shared, A);
    const b = probe(shared, B);
    expect(await until(a, (view) => view.settled && view.peers.length > 0)).toEqual({ peers: [B], settled: true });
    expect(await until(b, (view) => view.settled && view.peers.length > 0)).toEqual({ peers: [A], settled: true });
  });

  it('a copy of another host\'s probe file that never changes is not a peer', async () => {
    const original = await repository();
    const a = probe(original, A);
    await until(a, (view) => view.settled);
    const copy = await repository();
    await cp(join(original, PROBE_DIRECTORY), join(copy, PROBE_DIRECTORY), { recursive: true });
    const b = probe(copy, B);
    expect(await until(b, (view) => view.settled)).toEqual({ peers: [], settled: true });
    expect(a.current()).toEqual({ peers: [], settled: true });
  });

  it('a host that stops writing drops out of the peers', async () => {
    const shared = await repository();
    const a = probe(shared, A);
    const b = probe(shared, B);
    await until(a, (view) => view.peers.includes(B));
    await b.stop();
    expect(await until(a, (view) => view.peers.length === 0)).toEqual({ peers: [], settled: true });
  });

  it('neither writes nor judges while the repository is unusable', async () => {
    const shared = await repository();
    let problem = 'the share is not mounted';
    const a = probe(shared, A, () => problem);
    probe(shared, B);
    await sleep(INTERVAL_MS * 8);
    expect(a.current()).toEqual({ peers: [], settled: false });
    problem = '';
    expect(await until(a, (view) => view.settled && view.peers.length > 0)).toEqual({ peers: [B], settled: true });
  });

  it('never follows a symlink planted among the probe files', async () => {
    const shared = await repository();
    const outside = await repository();
    const a = probe(shared, A);
    await until(a, (view) => view.settled);
    await symlink(join(outside, 'anything'), join(shared, PROBE_DIRECTORY, B));
    await sleep(INTERVAL_MS * 5);
    expect(a.current()).toEqual({ peers: [], settled: true });
  });
});
