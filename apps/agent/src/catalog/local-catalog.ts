import { writeFileAtomic } from '@imagelib/durable-fs';
import type { ContainerFormat, DiskFormat, ImageRecord, ImageStatus, Visibility } from '@imagelib/glance';
import type { CatalogImage__Output, CatalogUpdate__Output } from '@imagelib/proto';
import { existsSync, readFileSync } from 'node:fs';

interface Entry {
  record: ImageRecord;
  /** The catalog revision of the image's last change. */
  revision: number;
}

interface SavedCatalog {
  revision: number;
  entries: Entry[];
}

const SAVE_DELAY_MS = 200;

/**
 * This host's copy of the catalog: what the image API serves, also while the controller is away.
 * Kept current by updates from the controller and saved in the state directory.
 */
export class LocalCatalog {
  private entries = new Map<string, Entry>();
  private revisionValue = 0;
  private saveTimer: NodeJS.Timeout | null = null;
  private saving: Promise<void> = Promise.resolve();
  private readonly listeners = new Set<(changedIds: string[]) => void>();

  constructor(private readonly path: string) {
    if (existsSync(path)) {
      const saved = JSON.parse(readFileSync(path, 'utf8')) as SavedCatalog;
      this.revisionValue = saved.revision;
      this.entries = new Map(saved.entries.map((entry) => [entry.record.id, entry]));
    }
  }

  get revision(): number {
    return this.revisionValue;
  }

  get(id: string): ImageRecord | undefined {
    return this.entries.get(id)?.record;
  }

  all(): ImageRecord[] {
    return [...this.entries.values()].map((entry) => entry.record);
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
    }
    for (const image of update.images) {
      if (this.store(image)) changed.add(image.id);
    }
    for (const id of update.removedIds) {
      if (this.entries.delete(id)) changed.add(id);
    }
    this.revisionValue = update.full ? update.revision : Math.max(this.revisionValue, update.revision);
    this.scheduleSave();
    if (changed.size > 0) for (const listener of this.listeners) listener([...changed]);
  }

  /** Puts an image the controller just returned (the update stream will confirm it). */
  put(image: CatalogImage__Output): ImageRecord {
    if (this.store(image)) {
      this.scheduleSave();
      for (const listener of this.listeners) listener([image.id]);
    }
    return fromCatalogImage(image);
  }

  /** Keeps the image unless what is known is newer; deleted images are dropped. */
  private store(image: CatalogImage__Output): boolean {
    const known = this.entries.get(image.id);
    if (known && known.revision > image.revision) return false;
    if (image.status === 'deleted') return this.entries.delete(image.id);
    this.entries.set(image.id, { record: fromCatalogImage(image), revision: image.revision });
    return true;
  }

  async flush(): Promise<void> {
    if (this.saveTimer) {
      clearTimeout(this.saveTimer);
      this.saveTimer = null;
      this.save();
    }
    await this.saving;
  }

  private scheduleSave(): void {
    if (this.saveTimer) return;
    this.saveTimer = setTimeout(() => {
      this.saveTimer = null;
      this.save();
    }, SAVE_DELAY_MS);
  }

  private save(): void {
    const snapshot: SavedCatalog = { revision: this.revisionValue, entries: [...this.entries.values()] };
    this.saving = this.saving.then(() => writeFileAtomic(this.path, JSON.stringify(snapshot), 0o600));
  }
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
