import type { ImageRecord } from '@imagelib/glance';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import type { HashingPool } from '../media/hashing.js';
import { isRepositoryEntry } from '../roles/repository-entry.js';
import type { CorruptFiles } from './corrupt-files.js';
import { isSafeFileName } from './image-file-status.js';

const MIN_PAUSE_MS = 200;

export interface ScrubberOptions {
  repositoryPath: string;
  images: () => ImageRecord[];
  hashing: HashingPool;
  corrupt: CorruptFiles;
  /** Average read rate the scrubber keeps under; 0 turns scrubbing off. */
  bytesPerSecond: number;
  /** Called with an image whose verdict changed (damaged, or good again). */
  onVerdict: (imageId: string) => void;
}

/**
 * Re-reads stored image files in the background, one at a time, pausing so that the average rate
 * stays under the limit, and compares their SHA-512 with the catalog's. A mismatch marks the file
 * corrupt: it is no longer served and its status says so, which makes the controller heal it.
 */
export class Scrubber {
  private timer: NodeJS.Timeout | null = null;
  private cursor = 0;
  private stopped = false;
  private readonly abort = new AbortController();

  constructor(
    private readonly options: ScrubberOptions,
    private readonly log: Logger,
  ) {}

  start(): void {
    if (this.options.bytesPerSecond > 0) this.schedule(MIN_PAUSE_MS);
  }

  stop(): void {
    this.stopped = true;
    this.abort.abort();
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      const started = Date.now();
      this.scrubNext()
        .catch((error: unknown) => {
          if (!this.stopped) this.log.warn({ err: error }, 'scrub failed');
          return 0;
        })
        .then((bytes) => {
          const budgetMs = (bytes / this.options.bytesPerSecond) * 1000;
          this.schedule(Math.max(MIN_PAUSE_MS, budgetMs - (Date.now() - started)));
        });
    }, delayMs);
  }

  /** Checks the next image with data; returns the bytes read. */
  private async scrubNext(): Promise<number> {
    const candidates = this.options.images().filter((image) => image.fileName && image.osHashValue && isSafeFileName(image.fileName));
    if (candidates.length === 0) return 0;
    const image = candidates[this.cursor++ % candidates.length] as ImageRecord;
    const fileName = image.fileName as string;
    let file;
    try {
      file = await open(join(this.options.repositoryPath, fileName), constants.O_RDONLY | constants.O_NOFOLLOW);
    } catch {
      return 0;
    }
    try {
      const stats = await file.stat();
      if (!stats.isFile() || stats.size !== image.size || !(await isRepositoryEntry(file, this.options.repositoryPath, fileName))) return 0;
      const digests = await this.options.hashing.hashFileHandle(file, { signal: this.abort.signal });
      const wasCorrupt = this.options.corrupt.reason(fileName, stats) !== null;
      if (digests.sha512 !== image.osHashValue) {
        this.options.corrupt.mark(fileName, stats, `the content of ${fileName} no longer matches the image's SHA-512`);
        if (!wasCorrupt) {
          this.log.error({ imageId: image.id, fileName }, 'scrub found a damaged image file');
          this.options.onVerdict(image.id);
        }
      } else if (wasCorrupt) {
        this.options.corrupt.clear(fileName);
        this.options.onVerdict(image.id);
      }
      return stats.size;
    } finally {
      await file.close();
    }
  }
}
