import { writeFileAtomic } from '@imagelib/durable-fs';
import { readFile } from 'node:fs/promises';
import type { Logger } from '../log.js';
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
 * Hashes of the repository's files by name, kept in a JSON file in the agent's state directory so
 * a restart does not hash unchanged files again. Every change is saved, atomically and in order,
 * coalescing the changes made while a save is in progress.
 */
export class DiscoveryCache {
  private dirty = false;
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

  /** Resolves once every change made so far is on disk (or has failed to save, which is logged). */
  async flush(): Promise<void> {
    await this.saving;
  }

  private save(): void {
    this.dirty = true;
    this.saving ??= this.saveWhileDirty();
  }

  private async saveWhileDirty(): Promise<void> {
    while (this.dirty) {
      this.dirty = false;
      const content = JSON.stringify({ version: VERSION, files: Object.fromEntries(this.entries) });
      try {
        await writeFileAtomic(this.path, content, 0o600);
      } catch (error) {
        this.log.warn({ path: this.path, err: error }, 'cannot save the discovery cache');
      }
    }
    this.saving = null;
  }
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
