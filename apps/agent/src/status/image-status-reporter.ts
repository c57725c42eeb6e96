import type { ImageRecord } from '@imagelib/glance';
import type { ImageHostStatus, ImageStatusReport } from '@imagelib/proto';
import type { Logger } from '../log.js';
import type { CorruptFiles } from './corrupt-files.js';
import { checkRepositoryAccess, type ImageFileStatus, imageFileStatus } from './image-file-status.js';

const STATE_TO_PROTO = {
  ok: 'IMAGE_HOST_STATE_OK',
  missing: 'IMAGE_HOST_STATE_MISSING',
  'no-access': 'IMAGE_HOST_STATE_NO_ACCESS',
  'cannot-delete': 'IMAGE_HOST_STATE_CANNOT_DELETE',
  corrupt: 'IMAGE_HOST_STATE_CORRUPT',
} as const;
const CONCURRENCY = 8;
/** Requests within this window make one round of checks (and one report). */
const COALESCE_MS = 20;
/** Statuses per message: well under the controller's 1 MiB message limit (a status is under 1.1 KiB). */
export const STATUSES_PER_REPORT = 500;

export interface ImageStatusReporterOptions {
  repositoryPath: string;
  images: () => ImageRecord[];
  image: (id: string) => ImageRecord | undefined;
  corrupt: CorruptFiles;
  /** Why the repository cannot be used now ('' when it can): then no image is ok here. */
  unusable: () => string;
  /** Sends a report; false when there is no link to send it on. */
  send: (report: ImageStatusReport) => boolean;
}

/** What the next round checks: everything (`all`, and reported whole when `complete`), or the ids named. */
interface Round {
  complete: boolean;
  all: boolean;
  ids: Set<string>;
  done: Promise<void>;
}

/**
 * Knows the status of every image on this host and tells the controller what changed: everything
 * after connecting, then only differences. Checks run when something may have changed (catalog,
 * repository events) and, as a safety net, on a slow timer — never a busy rescan. Requests that
 * arrive together (ten thousand files catalogued) make one round of checks and one report, sent
 * in messages of at most STATUSES_PER_REPORT (a complete report in several parts, the last saying so).
 */
export class ImageStatusReporter {
  private readonly known = new Map<string, ImageFileStatus>();
  /** When each image was last checked (performance.now()). */
  private readonly checkedAt = new Map<string, number>();
  private queue: Promise<void> = Promise.resolve();
  private next: Round | null = null;
  /** The round being checked now. */
  private current: Round | null = null;

  constructor(
    private readonly options: ImageStatusReporterOptions,
    private readonly log: Logger,
  ) {}

  status(imageId: string): ImageFileStatus | undefined {
    return this.known.get(imageId);
  }

  /**
   * Re-checks every image and sends the complete picture (after a (re)connect). A complete round
   * under way (started before the link was up, as at start-up) is joined: it sends when it ends.
   */
  reportAll(): Promise<void> {
    if (this.current?.complete) return this.current.done;
    return this.request((round) => {
      round.complete = true;
      round.all = true;
    });
  }

  /** Re-checks the given images (all when omitted) and sends what changed. */
  recheck(imageIds?: string[]): Promise<void> {
    return this.request((round) => {
      if (!imageIds) round.all = true;
      else for (const id of imageIds) round.ids.add(id);
    });
  }

  /**
   * Re-checks the images not checked for `ageMs` (the safety net for changes no event told of):
   * images just checked because something happened to them wait for their turn.
   */
  recheckStale(ageMs: number): Promise<void> {
    const before = performance.now() - ageMs;
    return this.recheck(this.options.images().flatMap((image) => ((this.checkedAt.get(image.id) ?? -Infinity) <= before ? [image.id] : [])));
  }

  /** Adds to the round to come (starting one if there is none); resolves when that round is done. */
  private request(add: (round: Round) => void): Promise<void> {
    if (!this.next) {
      let start!: () => void;
      const started = new Promise<void>((resolve) => (start = resolve));
      const round: Round = { complete: false, all: false, ids: new Set(), done: Promise.resolve() };
      round.done = started.then(() => this.enqueue(() => this.run(round)));
      setTimeout(() => {
        if (this.next === round) this.next = null;
        start();
      }, COALESCE_MS);
      this.next = round;
    }
    add(this.next);
    return this.next.done;
  }

  private async run(round: Round): Promise<void> {
    this.current = round;
    try {
      await this.checkAndReport(round);
    } finally {
      this.current = null;
    }
  }

  private async checkAndReport(round: Round): Promise<void> {
    const images = round.all ? this.options.images() : [...round.ids].flatMap((id) => this.options.image(id) ?? []);
    const checkedAt = performance.now();
    const results = await this.check(images);
    for (const id of results.keys()) this.checkedAt.set(id, checkedAt);
    if (round.complete) {
      this.known.clear();
      for (const id of this.checkedAt.keys()) if (!results.has(id)) this.checkedAt.delete(id);
      for (const [id, status] of results) this.known.set(id, status);
      this.sendAll(true, [...results].map(([id, status]) => toProto(id, status)));
      return;
    }
    const changes: ImageHostStatus[] = [];
    for (const [id, status] of results) {
      const before = this.known.get(id);
      if (before?.state === status.state && before.reason === status.reason) continue;
      this.known.set(id, status);
      changes.push(toProto(id, status));
    }
    // Images gone from the catalog are forgotten.
    if (round.all) for (const id of this.known.keys()) if (!results.has(id)) this.forget(id);
    for (const id of round.ids) if (!results.has(id)) this.forget(id);
    if (changes.length > 0) this.sendAll(false, changes);
  }

  /** Sends the statuses in messages of at most STATUSES_PER_REPORT; a complete report says in each but its last that more follows. */
  private sendAll(complete: boolean, statuses: ImageHostStatus[]): void {
    for (let start = 0; start === 0 || start < statuses.length; start += STATUSES_PER_REPORT) {
      const more = complete && start + STATUSES_PER_REPORT < statuses.length;
      if (!this.options.send({ complete, more, statuses: statuses.slice(start, start + STATUSES_PER_REPORT) })) return;
    }
  }

  private forget(imageId: string): void {
    this.known.delete(imageId);
    this.checkedAt.delete(imageId);
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
  // Whether files can be removed from the repository is the same for all of them: asked once.
  const repositoryAccess = checkRepositoryAccess(repositoryPath);
  repositoryAccess.catch(() => undefined);
  let next = 0;
  const worker = async () => {
    while (next < images.length) {
      const image = images[next++] as ImageRecord;
      results.set(image.id, await imageFileStatus(repositoryPath, image, corrupt, repositoryAccess));
    }
  };
  await Promise.all(Array.from({ length: Math.min(CONCURRENCY, images.length) }, worker));
  return results;
}

function toProto(imageId: string, status: ImageFileStatus): ImageHostStatus {
  return { imageId, state: STATE_TO_PROTO[status.state], reason: status.reason };
}
