import type { HashJob } from './hash-job.js';
import type { ImageDigests } from './hashing.js';

/** Takes a block of the stream at its offset (a positioned file write); the block's memory is reused once it resolves. */
export type BlockWriter = (block: Buffer, position: number) => Promise<unknown>;

/**
 * Hashes a stream as it passes (an upload). Feed it every chunk with update(), awaiting each, then
 * call digest(); end with abort() if the stream fails. Until then it holds one of the pool's jobs:
 * a StreamHasher left without digest() or abort() keeps that job from the pool.
 *
 * update() copies the chunk once into shared memory that both hashing threads read (the caller
 * keeps its Buffer), and resolves once it is copied; it waits while the job's chunks in flight are
 * all with the threads, which is the backpressure. With writeBlocksTo(), each filled block of that
 * memory is also handed to a writer, so the data is stored from the very bytes hashed, copied once.
 */
export class StreamHasher {
  private writer: BlockWriter | null = null;
  private readonly writes = new Set<Promise<unknown>>();
  private job: Promise<HashJob> | null = null;
  private slot: number | null = null;
  private filled = 0;
  private size = 0;
  private busy = false;
  private digested = false;
  private abortReason: unknown = undefined;

  /** Made by HashingPool.streamHasher(). */
  constructor(private readonly startJob: () => Promise<HashJob>) {}

  /** Hands every block to `writer` too, before its memory is reused; digest() then also waits for the writes. Call before update(). */
  writeBlocksTo(writer: BlockWriter): void {
    if (this.size > 0 || this.filled > 0) throw new Error('StreamHasher.writeBlocksTo called after update()');
    this.writer = writer;
  }

  async update(chunk: Buffer): Promise<void> {
    this.enter('update');
    try {
      const job = await this.currentJob();
      for (let offset = 0; offset < chunk.length; ) {
        this.slot ??= await job.freeSlot();
        const target = job.slotBuffer(this.slot);
        const copied = Math.min(target.length - this.filled, chunk.length - offset);
        copyIntoShared(chunk.subarray(offset, offset + copied), target, this.filled);
        offset += copied;
        this.filled += copied;
        this.size += copied;
        if (this.filled === target.length) this.send(job);
      }
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
      await Promise.all(this.writes);
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
    const slot = this.slot!;
    const write = this.writer?.(job.slotBuffer(slot).subarray(0, this.filled), this.size - this.filled);
    if (write) {
      this.writes.add(write);
      const settled = () => this.writes.delete(write);
      write.then(settled, settled);
    }
    job.submit(slot, this.filled, write);
    this.slot = null;
    this.filled = 0;
  }
}

/**
 * Copies `source` into shared memory at `offset`. Buffer.copy and TypedArray.set copy into a
 * SharedArrayBuffer with V8's relaxed atomic memmove (a few GB/s, a quarter of the upload's main
 * thread in a profile); fill() with a buffer exactly as long as the range is one native memcpy.
 */
export function copyIntoShared(source: Buffer, target: Buffer, offset: number): void {
  if (source.length > 0) target.fill(source, offset, offset + source.length);
}
