import { writeFileAtomic } from '@imagelib/durable-fs';
import { readFile } from 'node:fs/promises';
import type { Logger } from '../log.js';
import { MemoizedJson } from '../memoized-json.js';
import type { DiskFormat } from '../media/disk-format.js';
import type { FileIdentity } from './file-identity.js';

/** What discovery learnt about a file, valid while the file keeps its identity. */
export interface CachedImage extends FileIdentity {
  md5: string;
  sha512: string;
  diskFormat: DiskFormat;
  virtualSize: number;
}

const VERSION = 1;
const DISK_FORMATS = new Set<string>(['qcow2', 'raw', 'vmdk', 'vhd', 'vhdx', 'iso']);

/**
 * Changes are saved at least this long after the first one, together, and a save costs at most a
 * twentieth of the time: ten thousand files hashed make a few saves, not ten thousand. What a
 * crash loses is only work to do again (hashing those files).
 */
const SAVE_DELAY_MS = 1000;
const SAVE_TIME_SHARE = 20;

/**
 * Hashes of the repository's files by name, kept in a JSON file in the agent's state directory so
 * a restart does not hash unchanged files again. Changes are saved atomically and in order, in
 * batches (see SAVE_DELAY_MS); close() saves what is left.
 */
export class DiscoveryCache {
  private dirty = false;
  private delayMs = SAVE_DELAY_MS;
  private timer: NodeJS.Timeout | null = null;
  private saving: Promise<void> | null = null;

  private constructor(
    private readonly path: string,
    private readonly entries: Map<string, CachedImage>,
    private readonly log: Logger,
  ) {}

  /** The cache saved at `path`; empty (every file is hashed again) if there is none or it cannot be used. */
  static async load(path: string, log: Logger): Promise<DiscoveryCache> {
    let text: string;
    try {
      text = await readFile(path, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') log.warn({ path, err: error }, 'cannot read the discovery cache; every file will be hashed again');
      return new DiscoveryCache(path, new Map(), log);
    }
    const entries = parseEntries(text);
    if (!entries) log.warn({ path }, 'the discovery cache is damaged; every file will be hashed again');
    return new DiscoveryCache(path, entries ?? new Map(), log);
  }

  get(name: string): CachedImage | undefined {
    return this.entries.get(name);
  }

  set(name: string, entry: CachedImage): void {
    if (this.entries.get(name) === entry) return;
    this.entries.set(name, entry);
    this.save();
  }

  delete(name: string): void {
    if (this.entries.delete(name)) this.save();
  }

  /** Drops the entries of files no longer in the repository. */
  retainOnly(names: ReadonlySet<string>): void {
    const stale = [...this.entries.keys()].filter((name) => !names.has(name));
    for (const name of stale) this.entries.delete(name);
    if (stale.length > 0) this.save();
  }

  /** Saves the changes waiting now, and resolves once every change made so far is on disk (or has failed to save, which is logged). */
  async flush(): Promise<void> {
    await this.saving;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.dirty) await this.write();
  }

  private save(): void {
    this.dirty = true;
    this.schedule();
  }

  /** The next save, unless one is scheduled or under way (which schedules the next when it ends). */
  private schedule(): void {
    if (this.timer || this.saving) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      void this.write();
    }, this.delayMs);
  }

  private write(): Promise<void> {
    this.dirty = false;
    this.saving = (async () => {
      const started = performance.now();
      try {
        await writeFileAtomic(this.path, savedCacheJson(this.entries), 0o600);
      } catch (error) {
        this.log.warn({ path: this.path, err: error }, 'cannot save the discovery cache');
      }
      this.delayMs = Math.max(SAVE_DELAY_MS, SAVE_TIME_SHARE * (performance.now() - started));
    })().finally(() => {
      this.saving = null;
      if (this.dirty) this.schedule();
    });
    return this.saving;
  }
}

const entryJson = new MemoizedJson<CachedImage>();

function savedCacheJson(entries: Map<string, CachedImage>): string {
  const parts: string[] = [];
  for (const [name, entry] of entries) parts.push(`${JSON.stringify(name)}:${entryJson.of(entry)}`);
  return `{"version":${VERSION},"files":{${parts.join(',')}}}`;
}

function parseEntries(text: string): Map<string, CachedImage> | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    return null;
  }
  if (!isRecord(parsed) || parsed.version !== VERSION || !isRecord(parsed.files)) return null;
  return new Map(Object.entries(parsed.files).filter((entry): entry is [string, CachedImage] => isCachedImage(entry[1])));
}

function isCachedImage(value: unknown): value is CachedImage {
  if (!isRecord(value)) return false;
  const numbers = [value.dev, value.ino, value.size, value.mtimeMs, value.virtualSize];
  return (
    numbers.every((number) => typeof number === 'number' && Number.isFinite(number) && number >= 0) &&
    typeof value.md5 === 'string' &&
    /^[0-9a-f]{32}$/.test(value.md5) &&
    typeof value.sha512 === 'string' &&
    /^[0-9a-f]{128}$/.test(value.sha512) &&
    typeof value.diskFormat === 'string' &&
    DISK_FORMATS.has(value.diskFormat)
  );
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
