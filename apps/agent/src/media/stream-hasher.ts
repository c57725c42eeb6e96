import type { HashJob } from './hash-job.js';
import type { ImageDigests } from './hashing.js';

/**
 * Hashes a stream as it passes (an upload). Feed it every chunk with update(), awaiting each, then
 * call digest(); end with abort() if the stream fails. Until then it holds one of the pool's jobs:
 * a StreamHasher left without digest() or abort() keeps that job from the pool.
 *
 * update() copies the chunk once into shared memory that both hashing threads read (the caller
 * keeps its Buffer, to write it to disk too), and resolves once it is copied; it waits while the
 * job's chunks in flight are all with the threads, which is the backpressure.
 */
export class StreamHasher {
  private job: Promise<HashJob> | null = null;
  private slot: number | null = null;
  private filled = 0;
  private size = 0;
  private busy = false;
  private digested = false;
  private abortReason: unknown = undefined;

  /** Made by HashingPool.streamHasher(). */
  constructor(private readonly startJob: () => Promise<HashJob>) {}

  async update(chunk: Buffer): Promise<void> {
    this.enter('update');
    try {
      const job = await this.currentJob();
      for (let offset = 0; offset < chunk.length; ) {
        this.slot ??= await job.freeSlot();
        const target = job.slotBuffer(this.slot);
        const copied = chunk.copy(target, this.filled, offset);
        offset += copied;
        this.filled += copied;
        if (this.filled === target.length) this.send(job);
      }
      this.size += chunk.length;
    } finally {
      this.busy = false;
    }
  }

  async digest(): Promise<ImageDigests> {
    this.enter('digest');
    this.digested = true;
    try {
      const job = await this.currentJob();
      if (this.slot !== null) this.send(job);
      const { md5, sha512 } = await job.digest();
      return { md5, sha512, size: this.size };
    } finally {
      this.busy = false;
    }
  }

  /** Drops the job; a pending or later update() or digest() rejects with `reason`. */
  abort(reason: unknown = new DOMException('hashing aborted', 'AbortError')): void {
    if (this.abortReason !== undefined) return;
    this.abortReason = reason;
    this.job?.then(
      (job) => job.abort(reason),
      () => undefined,
    );
  }

  private enter(call: 'update' | 'digest'): void {
    if (this.abortReason !== undefined) throw this.abortReason;
    if (this.digested) throw new Error(`StreamHasher.${call} called after digest()`);
    if (this.busy) throw new Error(`StreamHasher.${call} called before the previous call resolved`);
    this.busy = true;
  }

  private async currentJob(): Promise<HashJob> {
    this.job ??= this.startJob();
    const job = await this.job;
    if (this.abortReason !== undefined) {
      job.abort(this.abortReason);
      throw this.abortReason;
    }
    return job;
  }

  private send(job: HashJob): void {
    job.submit(this.slot!, this.filled);
    this.slot = null;
    this.filled = 0;
  }
}
