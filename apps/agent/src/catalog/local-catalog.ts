import { writeFileAtomic } from '@imagelib/durable-fs';
import { compareInDefaultOrder, type ContainerFormat, type DiskFormat, type ImageRecord, type ImageStatus, type Visibility } from '@imagelib/glance';
import type { CatalogImage__Output, CatalogUpdate__Output } from '@imagelib/proto';
import { existsSync, readFileSync } from 'node:fs';
import { MemoizedJson } from '../memoized-json.js';

interface Entry {
  record: ImageRecord;
  /** The catalog revision of the image's last change. */
  revision: number;
}

interface SavedCatalog {
  revision: number;
  entries: Entry[];
}

const entryJson = new MemoizedJson<Entry>();

function savedCatalogJson(revision: number, entries: Iterable<Entry>): string {
  const parts: string[] = [];
  for (const entry of entries) parts.push(entryJson.of(entry));
  return `{"revision":${JSON.stringify(revision)},"entries":[${parts.join(',')}]}`;
}

/**
 * Changes are saved this long after the first one: a burst (ten thousand files catalogued) makes a
 * few saves of the whole copy, not thousands. Anything acknowledged to the controller waits for its save.
 */
const SAVE_DELAY_MS = 1000;

/**
 * This host's copy of the catalog: what the image API serves, also while the controller is away.
 * Kept current by updates from the controller and saved in the state directory.
 */
export class LocalCatalog {
  private readonly entries = new Map<string, Entry>();
  /** Image id by data file name. */
  private readonly byFileName = new Map<string, string>();
  /** The images in glance's default order, once asked for: kept in order from then on. */
  private ordered: ImageRecord[] | null = null;
  private revisionValue = 0;
  /** The save to come, and what resolves once it is done. */
  private scheduled: { timer: NodeJS.Timeout; saved: Promise<void>; settle: (saving: Promise<void>) => void } | null = null;
  private saving: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<(changedIds: string[]) => void>();

  constructor(private readonly path: string) {
    if (existsSync(path)) {
      const saved = JSON.parse(readFileSync(path, 'utf8')) as SavedCatalog;
      this.revisionValue = saved.revision;
      for (const entry of saved.entries) this.index(entry);
    }
  }

  get revision(): number {
    return this.revisionValue;
  }

  get(id: string): ImageRecord | undefined {
    return this.entries.get(id)?.record;
  }

  /** The image whose data file has this name, if any. */
  withFileName(fileName: string): ImageRecord | undefined {
    const id = this.byFileName.get(fileName);
    return id === undefined ? undefined : this.get(id);
  }

  /** Every image, in glance's default order (newest first): the order the image API lists them in unless asked otherwise. */
  all(): ImageRecord[] {
    this.ordered ??= [...this.entries.values()].map((entry) => entry.record).sort(compareInDefaultOrder);
    return [...this.ordered];
  }

  /** Calls the listener with the ids of images that changed, appeared or went away; returns how to stop. */
  onChange(listener: (changedIds: string[]) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Applies an update from the controller; applying one twice changes nothing. */
  apply(update: CatalogUpdate__Output): void {
    const changed = new Set<string>();
    if (update.full) {
      for (const id of this.entries.keys()) changed.add(id);
      this.entries.clear();
      this.byFileName.clear();
      this.ordered = null;
    }
    for (const image of update.images) {
      if (this.store(image)) changed.add(image.id);
    }
    for (const id of update.removedIds) {
      if (this.remove(id)) changed.add(id);
    }
    this.revisionValue = update.full ? update.revision : Math.max(this.revisionValue, update.revision);
    this.scheduleSave();
    this.tell([...changed]);
  }

  /** Puts an image the controller just returned (the update stream will confirm it). */
  put(image: CatalogImage__Output): ImageRecord {
    return this.putAll([image])[0] as ImageRecord;
  }

  /** Puts images the controller just returned, telling the listeners once. */
  putAll(images: CatalogImage__Output[]): ImageRecord[] {
    const changed = images.filter((image) => this.store(image)).map((image) => image.id);
    if (changed.length > 0) {
      this.scheduleSave();
      this.tell(changed);
    }
    return images.map(fromCatalogImage);
  }

  /** Resolves once everything applied so far is on disk; rejects if that save failed. */
  whenSaved(): Promise<void> {
    return this.scheduled?.saved ?? this.saving;
  }

  /** Saves now what is waiting to be saved. */
  async flush(): Promise<void> {
    if (this.scheduled) this.save();
    await this.saving;
  }

  /** Keeps the image unless what is known is as new (a revision is one content); deleted images are dropped. */
  private store(image: CatalogImage__Output): boolean {
    const known = this.entries.get(image.id);
    if (known && known.revision >= image.revision) return false;
    if (image.status === 'deleted') return this.remove(image.id);
    this.index({ record: fromCatalogImage(image), revision: image.revision });
    return true;
  }

  /** Adds the entry, in place of the one it replaces. */
  private index(entry: Entry): void {
    const known = this.entries.get(entry.record.id);
    if (known) this.unindex(known);
    this.entries.set(entry.record.id, entry);
    if (entry.record.fileName !== null) this.byFileName.set(entry.record.fileName, entry.record.id);
    if (this.ordered) this.ordered.splice(placeInOrder(this.ordered, entry.record), 0, entry.record);
  }

  private remove(id: string): boolean {
    const known = this.entries.get(id);
    if (!known) return false;
    this.entries.delete(id);
    this.unindex(known);
    return true;
  }

  private unindex(entry: Entry): void {
    const { fileName, id } = entry.record;
    if (fileName !== null && this.byFileName.get(fileName) === id) this.byFileName.delete(fileName);
    if (this.ordered) {
      const at = placeInOrder(this.ordered, entry.record);
      if (this.ordered[at]?.id === id) this.ordered.splice(at, 1);
    }
  }

  private tell(changedIds: string[]): void {
    if (changedIds.length > 0) for (const listener of this.listeners) listener(changedIds);
  }

  private scheduleSave(): void {
    if (this.scheduled) return;
    const timer = setTimeout(() => this.save(), SAVE_DELAY_MS);
    let settle!: (saving: Promise<void>) => void;
    const saved = new Promise<void>((resolve) => (settle = resolve));
    saved.catch(() => undefined);
    this.scheduled = { timer, saved, settle };
  }

  private save(): void {
    const scheduled = this.scheduled;
    if (!scheduled) return;
    clearTimeout(scheduled.timer);
    this.scheduled = null;
    const content = savedCatalogJson(this.revisionValue, this.entries.values());
    // A failed save does not stop the later ones.
    this.saving = this.saving.catch(() => undefined).then(() => writeFileAtomic(this.path, content, 0o600));
    // Its failure is reported to whoever waits for it (flush, whenSaved), and is never unhandled.
    this.saving.catch(() => undefined);
    scheduled.settle(this.saving);
  }
}

/** Where `record` goes in `ordered` (glance's default order): the first place whose image does not come before it. */
function placeInOrder(ordered: readonly ImageRecord[], record: ImageRecord): number {
  let low = 0;
  let high = ordered.length;
  while (low < high) {
    const middle = (low + high) >>> 1;
    if (compareInDefaultOrder(ordered[middle]!, record) < 0) low = middle + 1;
    else high = middle;
  }
  return low;
}

export function fromCatalogImage(image: CatalogImage__Output): ImageRecord {
  return {
    id: image.id,
    name: image.name ?? null,
    status: image.status as ImageStatus,
    visibility: image.visibility as Visibility,
    protected: image.protected,
    osHidden: image.osHidden,
    diskFormat: (image.diskFormat ?? null) as DiskFormat | null,
    containerFormat: (image.containerFormat ?? null) as ContainerFormat | null,
    size: image.size ?? null,
    virtualSize: image.virtualSize ?? null,
    checksum: image.checksum ?? null,
    osHashAlgo: image.osHashAlgo ?? null,
    osHashValue: image.osHashValue ?? null,
    minRam: image.minRam,
    minDisk: image.minDisk,
    owner: image.owner ?? null,
    tags: image.tags,
    properties: image.properties,
    createdAt: image.createdAt,
    updatedAt: image.updatedAt,
    fileName: image.fileName ?? null,
  };
}
