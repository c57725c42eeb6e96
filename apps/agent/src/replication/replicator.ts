import type { Replication__Output, ReplicationResult } from '@imagelib/proto';
import { constants } from 'node:fs';
import { lstat, open, rename, stat, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from '../log.js';
import type { HashingPool } from '../media/hashing.js';
import { agentMetrics } from '../metrics/agent-metrics.js';
import { isSafeFileName } from '../status/image-file-status.js';

const CONCURRENT_COPIES = 2;
const RESPONSE_TIMEOUT_MS = 30_000;

export interface ReplicatorOptions {
  repositoryPath: string;
  hashing: HashingPool;
  /** Per-host limit for copies together; 0 for none. */
  bandwidthBytesPerSecond: number;
  report: (result: ReplicationResult) => void;
  /** A copy was renamed into place. */
  onCopied: (imageId: string) => void;
}

/**
 * Copies images this host's storage lacks from hosts that hold them, through their image service.
 * Data goes to a temporary file that survives interruptions: the next attempt, on the same source
 * or another, resumes it with a Range request. Size and SHA-512 are verified before the rename.
 */
export class Replicator {
  private readonly queue = new Map<string, Replication__Output>();
  private readonly running = new Set<string>();
  private readonly abort = new AbortController();
  private throttle = { since: Date.now(), bytes: 0 };

  constructor(
    private readonly options: ReplicatorOptions,
    private readonly log: Logger,
  ) {}

  enqueue(copies: Replication__Output[]): void {
    for (const copy of copies) if (!this.running.has(copy.imageId)) this.queue.set(copy.imageId, copy);
    this.pump();
  }

  stop(): void {
    this.abort.abort();
    this.queue.clear();
  }

  private pump(): void {
    for (const [imageId, copy] of this.queue) {
      if (this.running.size >= CONCURRENT_COPIES || this.abort.signal.aborted) return;
      this.queue.delete(imageId);
      this.running.add(imageId);
      this.copy(copy)
        .then(
          () => {
            agentMetrics.replicationCopies.inc({ result: 'ok' });
            this.options.report({ imageId, ok: true, reason: '' });
            this.options.onCopied(imageId);
          },
          (error: unknown) => {
            const reason = error instanceof Error ? error.message : String(error);
            if (!this.abort.signal.aborted) this.log.warn({ imageId, reason }, 'image copy failed');
            agentMetrics.replicationCopies.inc({ result: 'failed' });
            this.options.report({ imageId, ok: false, reason });
          },
        )
        .finally(() => {
          this.running.delete(imageId);
          this.pump();
        });
    }
  }

  private async copy(copy: Replication__Output): Promise<void> {
    if (!isSafeFileName(copy.fileName)) throw new Error(`unsafe file name ${JSON.stringify(copy.fileName)}`);
    if (await this.holds(copy)) return;
    const partial = join(this.options.repositoryPath, `.replica-${copy.imageId}.part`);
    const failures: string[] = [];
    for (const source of copy.sources) {
      try {
        await this.fetchInto(partial, copy, source);
        break;
      } catch (error) {
        failures.push(`${source}: ${error instanceof Error ? error.message : String(error)}`);
        if (this.abort.signal.aborted) throw error;
      }
    }
    const have = await sizeOf(partial);
    if (have !== copy.size) throw new Error(`no source could provide the data (${failures.join('; ')})`);
    const digests = await this.options.hashing.hashFile(partial, { signal: this.abort.signal });
    if (digests.sha512 !== copy.osHashValue) {
      await unlink(partial).catch(() => undefined);
      throw new Error('the copy does not match the image\'s SHA-512; discarded');
    }
    await rename(partial, join(this.options.repositoryPath, copy.fileName));
    const directory = await open(this.options.repositoryPath, 'r');
    await directory.sync().finally(() => directory.close());
    this.log.info({ imageId: copy.imageId, fileName: copy.fileName, bytes: copy.size }, 'copied an image');
  }

  /**
   * Whether the repository holds the image already (a request sent again after the copy was made,
   * before its status reached the controller: a controller that took over the work knows no
   * copies under way): a regular file of its name, size and SHA-512. The data is not fetched again.
   */
  private async holds(copy: Replication__Output): Promise<boolean> {
    const path = join(this.options.repositoryPath, copy.fileName);
    const entry = await lstat(path).catch(() => null);
    if (!entry?.isFile() || entry.size !== copy.size) return false;
    const digests = await this.options.hashing.hashFile(path, { signal: this.abort.signal });
    if (digests.sha512 !== copy.osHashValue) return false;
    this.log.info({ imageId: copy.imageId, fileName: copy.fileName }, 'asked to copy an image this storage holds already: nothing fetched');
    return true;
  }

  /** Brings the partial file up to the image's size from one source, resuming what is there. */
  private async fetchInto(partial: string, copy: Replication__Output, source: string): Promise<void> {
    let have = await sizeOf(partial);
    if (have > copy.size) {
      await unlink(partial);
      have = 0;
    }
    if (have === copy.size) return;
    const headers: Record<string, string> = { 'X-Auth-Token': copy.token };
    if (have > 0) headers.Range = `bytes=${have}-`;
    const response = await fetch(`${source}/v2/images/${copy.imageId}/file`, { headers, signal: AbortSignal.any([this.abort.signal, AbortSignal.timeout(RESPONSE_TIMEOUT_MS)]) });
    if (response.status !== 200 && response.status !== 206) throw new Error(`HTTP ${response.status}`);
    if (response.status === 206 && !(response.headers.get('content-range') ?? '').startsWith(`bytes ${have}-`)) throw new Error('unexpected Content-Range');
    const file = await open(partial, response.status === 206 ? constants.O_WRONLY | constants.O_APPEND | constants.O_NOFOLLOW : constants.O_WRONLY | constants.O_CREAT | constants.O_TRUNC | constants.O_NOFOLLOW, 0o640);
    try {
      for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
        await file.write(chunk);
        agentMetrics.replicationBytes.inc(chunk.length);
        await this.pace(chunk.length);
      }
      await file.sync();
    } finally {
      await file.close();
    }
  }

  /** Sleeps as needed to keep all copies together under the bandwidth limit. */
  private async pace(bytes: number): Promise<void> {
    const limit = this.options.bandwidthBytesPerSecond;
    if (limit <= 0) return;
    const now = Date.now();
    if (now - this.throttle.since > 1000) this.throttle = { since: now, bytes: 0 };
    this.throttle.bytes += bytes;
    const aheadMs = (this.throttle.bytes / limit) * 1000 - (now - this.throttle.since);
    if (aheadMs > 0) await new Promise((resolve) => setTimeout(resolve, aheadMs));
  }
}

async function sizeOf(path: string): Promise<number> {
  try {
    return (await stat(path)).size;
  } catch {
    return 0;
  }
}
