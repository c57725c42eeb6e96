import type { ImageRecord } from '@imagelib/glance';
import type { ImageHostStatus, ImageStatusReport } from '@imagelib/proto';
import type { Logger } from '../log.js';
import type { CorruptFiles } from './corrupt-files.js';
import { type ImageFileStatus, imageFileStatus } from './image-file-status.js';

const STATE_TO_PROTO = {
  ok: 'IMAGE_HOST_STATE_OK',
  missing: 'IMAGE_HOST_STATE_MISSING',
  'no-access': 'IMAGE_HOST_STATE_NO_ACCESS',
  'cannot-delete': 'IMAGE_HOST_STATE_CANNOT_DELETE',
  corrupt: 'IMAGE_HOST_STATE_CORRUPT',
} as const;
const CONCURRENCY = 8;

export interface ImageStatusReporterOptions {
  repositoryPath: string;
  images: () => ImageRecord[];
  corrupt: CorruptFiles;
  /** Why the repository cannot be used now ('' when it can): then no image is ok here. */
  unusable: () => string;
  /** Sends a report; false when there is no link to send it on. */
  send: (report: ImageStatusReport) => boolean;
}

/**
 * Knows the status of every image on this host and tells the controller what changed: everything
 * after connecting, then only differences. Checks run when something may have changed (catalog,
 * repository events) and, as a safety net, on a slow timer — never a busy rescan.
 */
export class ImageStatusReporter {
  private readonly known = new Map<string, ImageFileStatus>();
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly options: ImageStatusReporterOptions,
    private readonly log: Logger,
  ) {}

  status(imageId: string): ImageFileStatus | undefined {
    return this.known.get(imageId);
  }

  /** Re-checks every image and sends the complete picture (after a (re)connect). */
  reportAll(): Promise<void> {
    return this.enqueue(async () => {
      const images = this.options.images();
      const results = await this.check(images);
      this.known.clear();
      for (const [id, status] of results) this.known.set(id, status);
      this.options.send({ complete: true, statuses: [...results].map(([id, status]) => toProto(id, status)) });
    });
  }

  /** Re-checks the given images (all when omitted) and sends what changed. */
  recheck(imageIds?: string[]): Promise<void> {
    return this.enqueue(async () => {
      const wanted = imageIds ? new Set(imageIds) : null;
      const images = this.options.images().filter((image) => !wanted || wanted.has(image.id));
      const results = await this.check(images);
      const changes: ImageHostStatus[] = [];
      for (const [id, status] of results) {
        const before = this.known.get(id);
        if (before?.state === status.state && before.reason === status.reason) continue;
        this.known.set(id, status);
        changes.push(toProto(id, status));
      }
      if (wanted) for (const id of wanted) if (!results.has(id)) this.known.delete(id);
      if (changes.length > 0) this.options.send({ complete: false, statuses: changes });
    });
  }

  private async check(images: ImageRecord[]): Promise<Map<string, ImageFileStatus>> {
    const problem = this.options.unusable();
    if (problem) return new Map(images.map((image) => [image.id, { state: 'missing', reason: problem }]));
    return checkAll(this.options.repositoryPath, images, this.options.corrupt);
  }

  private enqueue(work: () => Promise<void>): Promise<void> {
    this.queue = this.queue.then(work).catch((error: unknown) => this.log.warn({ err: error }, 'image status check failed'));
    return this.queue;
  }
}

async function checkAll(repositoryPath: string, images: ImageRecord[], corrupt: CorruptFiles): Promise<Map<string, ImageFileStatus>> {
  const results = new Map<string, ImageFileStatus>();
  let next = 0;
  const worker = async () => {
    while (next < images.length) {
      const image = images[next++] as ImageRecord;
      results.set(image.id, await imageFileStatus(repositoryPath, image, corrupt));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, images.length) }, worker));
  return results;
}

function toProto(imageId: string, status: ImageFileStatus): ImageHostStatus {
  return { imageId, state: STATE_TO_PROTO[status.state], reason: status.reason };
}
