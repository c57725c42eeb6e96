import type { ImageRecord } from '@imagelib/glance';
import type { CatalogClient } from '../catalog/catalog-client.js';
import type { DiscoveredImage } from '../discovery/repository-discovery.js';
import type { Logger } from '../log.js';

const RETRY_MS = 2000;
/** Files per call to the controller (it takes at most 1,000). */
export const FILES_PER_CALL = 500;

export interface DiscoveryRegistrarOptions {
  writes: Pick<CatalogClient, 'registerDiscoveredFiles'>;
  /** True when the local catalog already has this file, with this content: nothing to send. */
  isCatalogued: (image: DiscoveredImage) => boolean;
  onRegistered: (images: ImageRecord[]) => void;
}

/**
 * Catalogues the files discovery finds, many per call: one call at a time, and whatever was found
 * meanwhile goes in the next, so a single file is sent at once and ten thousand in a few dozen
 * calls. Files the local catalog already has as they are (a restart) are not sent. While the
 * controller cannot be reached (503) files wait and are tried again; a file withdrawn before it was
 * catalogued is dropped.
 */
export class DiscoveryRegistrar {
  private readonly pending = new Map<string, DiscoveredImage>();
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly options: DiscoveryRegistrarOptions,
    private readonly log: Logger,
  ) {}

  add(image: DiscoveredImage): void {
    this.pending.delete(image.fileName);
    if (this.options.isCatalogued(image)) return;
    this.pending.set(image.fileName, image);
    this.kick();
  }

  withdraw(fileName: string): void {
    this.pending.delete(fileName);
  }

  close(): void {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private kick(): void {
    if (this.running || this.closed || this.timer) return;
    this.running = true;
    void this.drain().finally(() => {
      this.running = false;
    });
  }

  private async drain(): Promise<void> {
    while (this.pending.size > 0 && !this.closed) {
      const batch = [...this.pending.values()].slice(0, FILES_PER_CALL);
      let outcomes;
      try {
        outcomes = await this.options.writes.registerDiscoveredFiles(
          batch.map((image) => ({
            fileName: image.fileName,
            size: image.size,
            checksum: image.md5,
            osHashValue: image.sha512,
            diskFormat: image.diskFormat,
            virtualSize: image.virtualSize,
          })),
        );
      } catch (error) {
        if ((error as { status?: number }).status === 503) {
          this.timer = setTimeout(() => {
            this.timer = null;
            this.kick();
          }, RETRY_MS);
          return;
        }
        for (const image of batch) this.forget(image);
        this.log.warn({ files: batch.length, err: error }, 'the controller refused files found in the repository');
        continue;
      }
      const registered: ImageRecord[] = [];
      for (const [index, outcome] of outcomes.entries()) {
        this.forget(batch[index]!);
        if (outcome.image) {
          this.log.info({ fileName: outcome.fileName, imageId: outcome.image.id }, 'catalogued a file found in the repository');
          registered.push(outcome.image);
        } else {
          this.log.warn({ fileName: outcome.fileName, reason: outcome.refusal }, 'the controller refused a file found in the repository');
        }
      }
      if (registered.length > 0) this.options.onRegistered(registered);
    }
  }

  /** Done with this report of the file (a newer one found meanwhile stays). */
  private forget(image: DiscoveredImage): void {
    if (this.pending.get(image.fileName) === image) this.pending.delete(image.fileName);
  }
}
