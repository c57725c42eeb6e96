import { randomUUID } from 'node:crypto';
import { constants } from 'node:fs';
import { mkdir, open, readdir, rename, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Logger } from '../log.js';
import { isRepositoryDirectory } from './repository-entry.js';

/** The probe's directory inside the repository (a dot-directory: discovery never catalogues it). */
export const PROBE_DIRECTORY = '.imagelib-probe';
/** A peer whose file changed within this many rounds writes into this storage now. */
const LIVE_ROUNDS = 3;
/** A probe file holds a session id and a round number: more is not read. */
const PROBE_FILE_BYTES = 128;
/** Files of more hosts than this are not read (a directory filled by something else). */
const MAX_PEERS = 256;
const HOST_ID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

export interface StorageProbeOptions {
  repositoryPath: string;
  hostId: string;
  intervalMs: number;
  /** Why the repository must not be written now; the probe then neither writes nor judges. */
  unusable: () => string;
  /** The peers or the verdict changed. */
  onChange: () => void;
}

export interface StorageProbeView {
  /** Hosts seen writing into this storage within the last LIVE_ROUNDS rounds, sorted. */
  peers: string[];
  /** Long enough running that a host missing from `peers` is not writing into this storage. */
  settled: boolean;
}

/**
 * The live half of storage identity: hosts that share a storage see each other's writes. Every
 * round the host rewrites a file of its own in `.imagelib-probe/` (a new value each time, renamed
 * into place so a reader never sees half of it) and reads the other hosts' files; a peer whose
 * file changed lately is writing into this storage now. A file seen once and never changing (a
 * marker and probe files copied onto another disk, or a host gone) proves nothing. Time is this
 * host's monotonic clock: the hosts' wall clocks need not agree.
 */
export class StorageProbe {
  private readonly directory: string;
  private readonly session = randomUUID();
  private round = 0;
  private runningSince = performance.now();
  private readonly seen = new Map<string, { content: string; changedAt: number }>();
  private view: StorageProbeView = { peers: [], settled: false };
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> = Promise.resolve();
  private failure = '';

  constructor(
    private readonly options: StorageProbeOptions,
    private readonly log: Logger,
  ) {
    this.directory = join(options.repositoryPath, PROBE_DIRECTORY);
  }

  start(): void {
    this.schedule(0);
  }

  async stop(): Promise<void> {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  current(): StorageProbeView {
    return this.view;
  }

  private schedule(delayMs: number): void {
    this.timer = setTimeout(() => {
      this.running = this.probe().finally(() => {
        if (this.timer) this.schedule(this.options.intervalMs);
      });
    }, delayMs);
  }

  private async probe(): Promise<void> {
    const now = performance.now();
    try {
      if (this.options.unusable()) throw new Error(this.options.unusable());
      // Through a repository path swapped for a symlink, the probe would write elsewhere.
      if (!(await isRepositoryDirectory(this.options.repositoryPath))) throw new Error(`${this.options.repositoryPath} is not the repository directory now`);
      await this.writeOwn();
      await this.readPeers(now);
      if (this.failure) this.log.info({ directory: this.directory }, 'the storage probe works again');
      this.failure = '';
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (reason !== this.failure) this.log.warn({ directory: this.directory, reason }, 'the storage probe cannot run; no host is confirmed to share this storage');
      this.failure = reason;
      this.seen.clear();
      this.runningSince = now;
    }
    const window = LIVE_ROUNDS * this.options.intervalMs;
    const peers = [...this.seen].filter(([, entry]) => now - entry.changedAt <= window).map(([hostId]) => hostId).sort();
    const view = { peers, settled: !this.failure && now - this.runningSince >= window };
    if (view.settled === this.view.settled && view.peers.join() === this.view.peers.join()) return;
    this.view = view;
    this.options.onChange();
  }

  private async writeOwn(): Promise<void> {
    await mkdir(this.directory, { recursive: true, mode: 0o755 });
    const temporary = join(this.directory, `.${this.options.hostId}.tmp`);
    await writeFile(temporary, `${this.session} ${++this.round}\n`, { mode: 0o644 });
    await rename(temporary, join(this.directory, this.options.hostId));
  }

  private async readPeers(now: number): Promise<void> {
    const names = (await readdir(this.directory)).filter((name) => HOST_ID.test(name) && name !== this.options.hostId).slice(0, MAX_PEERS);
    for (const name of names) {
      const content = await readProbeFile(join(this.directory, name)).catch(() => null);
      if (content === null) continue;
      const before = this.seen.get(name);
      // The first sight of a file proves nothing: it may be a copy that never changes.
      if (!before) this.seen.set(name, { content, changedAt: Number.NEGATIVE_INFINITY });
      else if (before.content !== content) this.seen.set(name, { content, changedAt: now });
    }
  }
}

/** The head of a peer's probe file: a regular file only (never through a symlink, never a FIFO that would block). */
async function readProbeFile(path: string): Promise<string> {
  const file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    if (!(await file.stat()).isFile()) throw new Error(`${path} is not a regular file`);
    const { buffer, bytesRead } = await file.read(Buffer.alloc(PROBE_FILE_BYTES), 0, PROBE_FILE_BYTES, 0);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await file.close();
  }
}
