import type { Stats } from 'node:fs';
import { lstat, readdir, readlink } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { Logger } from '../log.js';
import { ConcurrencyLimit } from './concurrency-limit.js';
import { type CachedImage, DiscoveryCache } from './discovery-cache.js';
import { type FileIdentity, identityOf, nonRegularRefusal, sameIdentity } from './file-identity.js';
import { isTemporaryName, nameRefusal } from './file-names.js';
import { FileRefusedError, type HashFile, inspectFile } from './inspect-file.js';
import { type WatchDirectory, watchDirectoryEntries } from './watch-directory.js';

export interface DiscoveredImage extends CachedImage {
  fileName: string;
}

export interface DiscoveryListener {
  /** A complete regular file in the repository, with its format and hashes (from the cache when it has not changed). */
  onDiscovered(image: DiscoveredImage): void;
  /** What was reported for this name (discovered or refused) holds no more: the entry is gone or changed, or the repository is unavailable. */
  onRemoved(fileName: string): void;
  /** An entry that is not served, and why. Only regular files are ever opened. */
  onRefused(fileName: string, reason: string): void;
  /** The repository directory cannot be used (gone, unmounted, replaced, a symlink); every entry reported is removed first. Retried until it is back. */
  onUnavailable(reason: string): void;
  /** The repository directory is back after onUnavailable; its entries are being looked at again. */
  onAvailable(): void;
  /** A hint that something happened to this entry, permission changes included: cheap checks may look again. */
  onActivity(fileName: string): void;
}

export interface RepositoryDiscoveryOptions {
  repositoryPath: string;
  /** The cache of hashes, a JSON file in the agent's state directory. */
  cachePath: string;
  hash: HashFile;
  listener: DiscoveryListener;
  /** How long a file's identity (inode, size, mtime) must hold still before the file is read. Default 2000 ms. */
  settleMs?: number;
  /**
   * How often a settling file is looked at (lstat) while it changes or the watcher reports activity
   * on it; a file that holds still is looked at again only when it would be settled. Default 250 ms.
   */
  pollIntervalMs?: number;
  /** How often the repository directory is checked, and retried while it is unavailable. Default 3000 ms. */
  repositoryCheckMs?: number;
  /** How often every entry is looked at again, in case the watcher missed an event. Default 60 s. */
  rescanIntervalMs?: number;
  /** Large files read (format and hashes) at once. Default 2. */
  concurrency?: number;
  /** Small files (up to SMALL_FILE_BYTES) read at once, besides the large ones: their cost is the round trips, not the bytes. Default 16. */
  smallFileConcurrency?: number;
  /** Entries that are the agent's own (already catalogued) and are never read: only activity is reported. */
  isOwnFile?: (fileName: string) => boolean;
  watch?: WatchDirectory;
}

type Report = { image: CachedImage } | { refusal: string };

const LOOKS_AT_ONCE = 16;
/** After activity in the directory, its names are listed (no stat) this long later, in case events were lost. */
const LIST_AFTER_ACTIVITY_MS = 1000;

/** Files up to this size are read under the small-file limit. */
export const SMALL_FILE_BYTES = 16 * 1024 * 1024;

interface TrackedEntry {
  report: Report | null;
  /** The identity last seen while settling, and since when it has held. */
  observed: FileIdentity | null;
  observedSince: number;
  /** The watcher reported activity on the entry since it was last looked at. */
  stirred: boolean;
  timer: NodeJS.Timeout | null;
  inspection: { identity: FileIdentity; controller: AbortController } | null;
  /** An evaluation is running; `again` asks it to evaluate once more when done. */
  running: boolean;
  again: boolean;
  /** The repository went away or discovery closed: this entry reports nothing more. */
  retired: boolean;
}

/**
 * Finds the image files dropped into the repository directory (flat: only its own entries) and
 * reports each complete regular file with its format and hashes, and each entry it will not serve
 * with a reason. The watcher's events are only hints: every decision comes from lstat. A file is
 * read once its identity has held still for settleMs, through a descriptor that cannot follow a
 * symlink and that is checked to be the inode that settled, and it is checked again after hashing.
 * Any change of a reported file withdraws it (onRemoved) before it is hashed again.
 */
export class RepositoryDiscovery {
  private readonly repositoryPath: string;
  private readonly settleMs: number;
  private readonly pollIntervalMs: number;
  private readonly repositoryCheckMs: number;
  private readonly rescanIntervalMs: number;
  private readonly limit: ConcurrencyLimit;
  private readonly smallFileLimit: ConcurrencyLimit;
  /** Entries looked at (lstat) at once: a scan of ten thousand must not queue ten thousand file-system calls ahead of everyone else's. */
  private readonly lookLimit = new ConcurrencyLimit(LOOKS_AT_ONCE);
  private readonly watch: WatchDirectory;
  private cache: DiscoveryCache | null = null;
  private entries = new Map<string, TrackedEntry>();
  /** The directory being watched; null while unavailable. */
  private directory: { dev: number; ino: number; stopWatching: () => Promise<void> } | null = null;
  private unavailableReason: string | null = null;
  /** Names the watcher reported while the watch was being set up, before the listing was in. */
  private earlyNames: Set<string> | null = null;
  private lastScan = 0;
  private checking: Promise<void> | null = null;
  private checkTimer: NodeJS.Timeout | null = null;
  /** The listing of the directory's names that follows activity (events can be lost). */
  private listingTimer: NodeJS.Timeout | null = null;
  /** What start() waits for: the entries of the first scan (null until it ran) to be reported or gone. */
  private initialScan: { waiting: Set<string> | null; done: () => void } | null = null;
  private readonly evaluations = new Set<Promise<void>>();
  private closed = false;

  constructor(
    private readonly options: RepositoryDiscoveryOptions,
    private readonly log: Logger,
  ) {
    this.repositoryPath = resolve(options.repositoryPath);
    this.settleMs = options.settleMs ?? 2_000;
    this.pollIntervalMs = options.pollIntervalMs ?? 250;
    this.repositoryCheckMs = options.repositoryCheckMs ?? 3_000;
    this.rescanIntervalMs = options.rescanIntervalMs ?? 60_000;
    this.limit = new ConcurrencyLimit(options.concurrency ?? 2);
    this.smallFileLimit = new ConcurrencyLimit(options.smallFileConcurrency ?? 16);
    this.watch = options.watch ?? watchDirectoryEntries;
  }

  /**
   * Loads the cache, starts watching and resolves once every entry of the first scan has been
   * reported (or has gone): files found unchanged in the cache at once, others once settled and
   * hashed. An unavailable repository is reported and retried; start() then resolves at once.
   */
  async start(): Promise<void> {
    this.cache = await DiscoveryCache.load(this.options.cachePath, this.log);
    const scanned = new Promise<void>((done) => (this.initialScan = { waiting: null, done }));
    await this.checkRepository();
    if (!this.directory) this.endInitialScan();
    this.scheduleRepositoryCheck();
    await scanned;
  }

  /** Stops watching and reading; reports nothing more. The cache is saved before it resolves. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.checkTimer ?? undefined);
    clearTimeout(this.listingTimer ?? undefined);
    await this.checking;
    const directory = this.directory;
    this.directory = null;
    for (const entry of this.entries.values()) retire(entry);
    this.endInitialScan();
    await directory?.stopWatching();
    await Promise.allSettled(this.evaluations);
    await this.cache?.flush();
  }

  private scheduleRepositoryCheck(): void {
    this.checkTimer = setTimeout(() => {
      void this.checkRepository().finally(() => {
        if (!this.closed) this.scheduleRepositoryCheck();
      });
    }, this.repositoryCheckMs);
  }

  private checkRepository(): Promise<void> {
    this.checking ??= this.examineRepository()
      .catch((error: unknown) => this.log.error({ err: error, repositoryPath: this.repositoryPath }, 'repository check failed'))
      .finally(() => (this.checking = null));
    return this.checking;
  }

  /** Keeps the watch on the directory now at the repository path, or reports why there is none. */
  private async examineRepository(): Promise<void> {
    if (this.closed) return;
    const { stats, problem } = await this.examineRepositoryPath();
    const watched = this.directory;
    if (watched && !problem && stats!.dev === watched.dev && stats!.ino === watched.ino) {
      if (performance.now() - this.lastScan >= this.rescanIntervalMs) await this.rescan();
      return;
    }
    if (watched) await this.becomeUnavailable(problem ?? 'the repository directory was replaced (removed and created again, or remounted)');
    else if (problem) this.reportUnavailable(problem);
    if (!problem) await this.establish(stats!);
  }

  private async examineRepositoryPath(): Promise<{ stats: Stats | null; problem: string | null }> {
    let stats: Stats;
    try {
      stats = await lstat(this.repositoryPath);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      return { stats: null, problem: code === 'ENOENT' ? 'the repository directory does not exist' : `cannot examine the repository directory (${code})` };
    }
    if (stats.isSymbolicLink()) {
      const target = await readlink(this.repositoryPath).catch(() => '?');
      return { stats, problem: `the repository path is a symlink (to ${target}), not a directory: refused` };
    }
    if (!stats.isDirectory()) return { stats, problem: 'the repository path is not a directory' };
    return { stats, problem: null };
  }

  private async establish(stats: Stats): Promise<void> {
    const earlyNames = new Set<string>();
    this.earlyNames = earlyNames;
    let listed: { names: string[]; stopWatching: () => Promise<void> } | { problem: string };
    try {
      listed = await this.watchAndList();
    } finally {
      this.earlyNames = null;
    }
    if ('problem' in listed) return this.reportUnavailable(listed.problem);
    if (this.closed) return listed.stopWatching();
    this.directory = { dev: stats.dev, ino: stats.ino, stopWatching: listed.stopWatching };
    if (this.unavailableReason !== null) {
      this.unavailableReason = null;
      this.log.info({ repositoryPath: this.repositoryPath }, 'repository directory available again');
      this.options.listener.onAvailable();
    }
    this.track([...listed.names, ...earlyNames]);
  }

  /** Starts the watch, then lists the directory: whatever appears after the listing has an event. */
  private async watchAndList(): Promise<{ names: string[]; stopWatching: () => Promise<void> } | { problem: string }> {
    let stopWatching: () => Promise<void>;
    try {
      stopWatching = await this.watch(this.repositoryPath, { onEntry: (name) => this.onWatchedEntry(name), onTrouble: (reason) => this.onWatchTrouble(reason) });
    } catch (error) {
      return { problem: `cannot watch the repository directory: ${(error as Error).message}` };
    }
    try {
      return { names: await readdir(this.repositoryPath), stopWatching };
    } catch (error) {
      await stopWatching();
      return { problem: `cannot list the repository directory (${(error as NodeJS.ErrnoException).code})` };
    }
  }

  /**
   * After activity, at most once per LIST_AFTER_ACTIVITY_MS: the directory's names (no stat) against
   * the entries known, so that names whose events the kernel dropped (its queue overflows under a
   * burst) are looked at within a second, not at the next rescan.
   */
  private listSoon(): void {
    this.listingTimer ??= setTimeout(() => {
      void this.lookAtUnknownNames().finally(() => (this.listingTimer = null));
    }, LIST_AFTER_ACTIVITY_MS);
  }

  private async lookAtUnknownNames(): Promise<void> {
    if (this.closed || !this.directory) return;
    const names = await readdir(this.repositoryPath).catch(() => null);
    // An unlistable directory is the repository check's to report.
    if (!names || !this.directory) return;
    const listed = new Set(names.filter((name) => !this.skipped(name)));
    for (const name of listed) if (!this.entries.has(name)) this.evaluateSoon(name);
    for (const name of this.entries.keys()) if (!listed.has(name)) this.evaluateSoon(name);
  }

  private async rescan(): Promise<void> {
    try {
      this.track(await readdir(this.repositoryPath));
    } catch (error) {
      await this.becomeUnavailable(`cannot list the repository directory (${(error as NodeJS.ErrnoException).code})`);
    }
  }

  /** Looks at every entry listed, and at every entry tracked but no longer listed. */
  private track(names: string[]): void {
    this.lastScan = performance.now();
    const listed = new Set(names.filter((name) => !this.skipped(name)));
    this.cache!.retainOnly(listed);
    if (this.initialScan && !this.initialScan.waiting) {
      this.initialScan.waiting = new Set(listed);
      if (listed.size === 0) this.endInitialScan();
    }
    for (const name of new Set([...listed, ...this.entries.keys()])) this.evaluateSoon(name);
  }

  /** Withdraws every report (the cache keeps its entries, for when the directory is back) and stops watching. */
  private async becomeUnavailable(reason: string): Promise<void> {
    const directory = this.directory;
    this.directory = null;
    const entries = this.entries;
    this.entries = new Map();
    this.reportUnavailable(reason);
    for (const [name, entry] of entries) {
      retire(entry);
      if (entry.report) this.options.listener.onRemoved(name);
    }
    this.endInitialScan();
    await directory?.stopWatching();
  }

  private reportUnavailable(reason: string): void {
    if (reason === this.unavailableReason) return;
    this.unavailableReason = reason;
    this.log.warn({ repositoryPath: this.repositoryPath, reason }, 'repository directory unavailable; retrying');
    this.options.listener.onUnavailable(reason);
  }

  private onWatchTrouble(reason: string): void {
    this.log.warn({ repositoryPath: this.repositoryPath, reason }, 'repository watch reported trouble; checking the directory');
    void this.checkRepository();
  }

  /** Names discovery never reads: temporary ones, and the agent's own files. */
  private skipped(name: string): boolean {
    return isTemporaryName(name) || (this.options.isOwnFile?.(name) ?? false);
  }

  private onWatchedEntry(name: string): void {
    if (isTemporaryName(name)) return;
    this.options.listener.onActivity(name);
    if (this.options.isOwnFile?.(name)) return;
    if (!this.directory) {
      this.earlyNames?.add(name);
      return;
    }
    this.listSoon();
    const entry = this.entries.get(name);
    if (entry?.inspection) void this.abortIfChanged(name, entry.inspection);
    // A settling file is looked at on its timer anyway, and often while it stirs: a file being copied sends events by the thousand.
    if (entry) entry.stirred = true;
    if (!entry?.timer) this.evaluateSoon(name);
  }

  /** An event during hashing: stop reading a file that is no longer the one being hashed. */
  private async abortIfChanged(name: string, inspection: NonNullable<TrackedEntry['inspection']>): Promise<void> {
    const stats = await lstat(join(this.repositoryPath, name)).catch(() => null);
    if (!stats || !sameIdentity(identityOf(stats), inspection.identity)) inspection.controller.abort();
  }

  /** Evaluates the entry, one evaluation at a time per name; a request during one runs it once more. */
  private evaluateSoon(name: string): void {
    if (this.closed || !this.directory) return;
    let entry = this.entries.get(name);
    if (!entry) {
      entry = { report: null, observed: null, observedSince: 0, stirred: false, timer: null, inspection: null, running: false, again: false, retired: false };
      this.entries.set(name, entry);
    }
    if (entry.running) {
      entry.again = true;
      return;
    }
    entry.running = true;
    const evaluation = this.evaluateWhileAsked(name, entry).finally(() => this.evaluations.delete(evaluation));
    this.evaluations.add(evaluation);
  }

  private async evaluateWhileAsked(name: string, entry: TrackedEntry): Promise<void> {
    try {
      do {
        entry.again = false;
        await this.evaluate(name, entry);
      } while (entry.again && !entry.retired);
    } catch (error) {
      this.log.error({ err: error, fileName: name }, 'discovery failed for a file');
    } finally {
      entry.running = false;
      if (!entry.report && !entry.observed && !entry.timer && this.entries.get(name) === entry) this.entries.delete(name);
    }
  }

  private async evaluate(name: string, entry: TrackedEntry): Promise<void> {
    const path = join(this.repositoryPath, name);
    const refusal = nameRefusal(name);
    if (refusal) {
      // Such a name may not even be opened as written (invalid UTF-8): the listing says if it is still there.
      const present = (await readdir(this.repositoryPath).catch((): string[] => [])).includes(name);
      return present ? this.report(name, entry, { refusal }) : this.forget(name, entry);
    }
    let stats: Stats;
    try {
      stats = await this.lookLimit.run(() => lstat(path));
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' || code === 'ENOTDIR') return this.forget(name, entry);
      return this.report(name, entry, { refusal: `cannot be examined (${code})` });
    }
    if (!stats.isFile()) {
      entry.observed = null;
      return this.report(name, entry, { refusal: await nonRegularRefusal(path, stats) });
    }
    const identity = identityOf(stats);
    if (entry.report && 'image' in entry.report) {
      if (sameIdentity(entry.report.image, identity)) return;
      this.withdraw(name, entry);
    }
    const cached = this.cache!.get(name);
    if (cached && sameIdentity(cached, identity)) return this.report(name, entry, { image: cached });
    // Changed since it was last looked at (a file seen for the first time has not been seen changing).
    const changing = entry.observed !== null && !sameIdentity(entry.observed, identity);
    if (changing || !entry.observed) {
      entry.observed = identity;
      entry.observedSince = performance.now();
    }
    const stirred = entry.stirred;
    entry.stirred = false;
    const unsettled = entry.observedSince + this.settleMs - performance.now();
    // Looked at often while it changes or stirs; one that holds still is looked at again when it would be settled.
    if (unsettled > 0) return this.lookAgainIn(name, entry, changing || stirred ? Math.min(this.pollIntervalMs, unsettled) : unsettled);
    await this.inspect(name, entry, identity);
  }

  private async inspect(name: string, entry: TrackedEntry, identity: FileIdentity): Promise<void> {
    const controller = new AbortController();
    entry.inspection = { identity, controller };
    try {
      const path = join(this.repositoryPath, name);
      const limit = identity.size <= SMALL_FILE_BYTES ? this.smallFileLimit : this.limit;
      const inspected = await limit.run(() => inspectFile(path, identity, this.options.hash, controller.signal), controller.signal);
      if (inspected === 'changed') return settleAgain(entry);
      this.report(name, entry, { image: inspected });
    } catch (error) {
      if (controller.signal.aborted) return settleAgain(entry);
      if (error instanceof FileRefusedError) return this.report(name, entry, { refusal: error.message });
      this.log.error({ err: error, fileName: name }, 'could not hash a file; trying again once it has settled again');
      settleAgain(entry);
    } finally {
      entry.inspection = null;
    }
  }

  private lookAgainIn(name: string, entry: TrackedEntry, delayMs: number): void {
    clearTimeout(entry.timer ?? undefined);
    entry.timer = setTimeout(() => {
      entry.timer = null;
      if (!entry.retired) this.evaluateSoon(name);
    }, delayMs);
  }

  private report(name: string, entry: TrackedEntry, report: Report): void {
    if (entry.retired) return;
    this.handled(name);
    if (entry.report && 'refusal' in entry.report && 'refusal' in report && entry.report.refusal === report.refusal) return;
    this.withdraw(name, entry);
    entry.report = report;
    if ('image' in report) {
      this.cache!.set(name, report.image);
      this.log.info({ fileName: name, size: report.image.size, diskFormat: report.image.diskFormat }, 'image file discovered');
      this.options.listener.onDiscovered({ fileName: name, ...report.image });
    } else {
      this.log.warn({ fileName: name, reason: report.refusal }, 'repository entry refused');
      this.options.listener.onRefused(name, report.refusal);
    }
  }

  /** The entry is gone: withdraw its report and forget it. */
  private forget(name: string, entry: TrackedEntry): void {
    if (entry.retired) return;
    entry.observed = null;
    clearTimeout(entry.timer ?? undefined);
    entry.timer = null;
    this.withdraw(name, entry);
    this.handled(name);
  }

  private withdraw(name: string, entry: TrackedEntry): void {
    if (!entry.report) return;
    if ('image' in entry.report) this.cache!.delete(name);
    entry.report = null;
    this.options.listener.onRemoved(name);
  }

  private handled(name: string): void {
    const waiting = this.initialScan?.waiting;
    if (waiting?.delete(name) && waiting.size === 0) this.endInitialScan();
  }

  private endInitialScan(): void {
    const initialScan = this.initialScan;
    this.initialScan = null;
    initialScan?.done();
  }
}

function settleAgain(entry: TrackedEntry): void {
  entry.observed = null;
  entry.again = true;
}

function retire(entry: TrackedEntry): void {
  entry.retired = true;
  clearTimeout(entry.timer ?? undefined);
  entry.timer = null;
  entry.inspection?.controller.abort();
}
