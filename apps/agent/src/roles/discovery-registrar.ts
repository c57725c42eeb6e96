import type { ImageRecord } from '@imagelib/glance';
import type { CatalogClient } from '../catalog/catalog-client.js';
import type { DiscoveredImage } from '../discovery/repository-discovery.js';
import type { Logger } from '../log.js';

const RETRY_MS = 2000;

/**
 * Catalogues the files discovery finds, one at a time. While the controller cannot be reached
 * (503) a file waits and is tried again; a file withdrawn before it was catalogued is dropped.
 */
export class DiscoveryRegistrar {
  private readonly pending = new Map<string, DiscoveredImage>();
  private running = false;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;

  constructor(
    private readonly writes: CatalogClient,
    private readonly onRegistered: (image: ImageRecord) => void,
    private readonly log: Logger,
  ) {}

  add(image: DiscoveredImage): void {
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
    for (const [fileName, image] of this.pending) {
      if (this.closed) return;
      try {
        const record = await this.writes.registerDiscoveredFile({
          fileName,
          size: image.size,
          checksum: image.md5,
          osHashValue: image.sha512,
          diskFormat: image.diskFormat,
          virtualSize: image.virtualSize,
        });
        if (this.pending.get(fileName) === image) this.pending.delete(fileName);
        this.log.info({ fileName, imageId: record.id }, 'catalogued a file found in the repository');
        this.onRegistered(record);
      } catch (error) {
        const status = (error as { status?: number }).status;
        if (status === 503) {
          this.timer = setTimeout(() => {
            this.timer = null;
            this.kick();
          }, RETRY_MS);
          return;
        }
        this.pending.delete(fileName);
        this.log.warn({ fileName, err: error }, 'the controller refused a file found in the repository');
      }
    }
  }
}
