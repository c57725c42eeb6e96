import { alignedSharedBuffer, DIRECT_IO_ALIGNMENT } from '@imagelib/native-memory';
import { type FileHandle, open } from 'node:fs/promises';
import { Worker } from 'node:worker_threads';
import { HashJob, type HashThreads, type Lane } from './hash-job.js';
import { HASH_THREAD_SOURCE, type HashAlgorithm, type HashReply } from './hash-thread.js';
import { StreamHasher } from './stream-hasher.js';

/** Glance's `checksum` (md5) and `os_hash_value` (sha512, `os_hash_algo` sha512), hex, and the bytes hashed. */
export interface ImageDigests {
  md5: string;
  sha512: string;
  size: number;
}

export interface HashingPoolOptions {
  /** Hash jobs (uploads, files) running at once; more wait for one to end. Default 4. */
  maxConcurrentJobs?: number;
  /** Bytes per chunk handed to the threads; files are read in chunks of this size. Default 1 MiB (a multiple of DIRECT_IO_ALIGNMENT, as it should be). */
  chunkBytes?: number;
  /** Chunks a job may have with the threads at once: its memory (and backpressure) bound. Default 4. */
  chunksInFlight?: number;
  /** How long the threads (and the jobs' shared memory) outlive the last job; the next job starts them again. Default 5 s. */
  idleMs?: number;
  /** Called once the threads stopped for want of work (the burst of uploads or files is over). */
  onIdleStop?: () => void;
}

const ALGORITHMS: readonly HashAlgorithm[] = ['md5', 'sha512'];

/**
 * Hashes images off the event loop: one thread per algorithm (md5 and sha512 run side by side, so
 * sha512 bounds the rate), shared by every job. The threads read chunks from shared memory: a
 * file is read straight into it, an upload's chunks are copied into it once. The threads start
 * with the first job and stop once no job has run for idleMs, giving their memory back (each is a
 * V8 isolate of its own); idle threads do not keep the process alive; close() stops them.
 */
export class HashingPool {
  private readonly maxConcurrentJobs: number;
  private readonly chunkBytes: number;
  private readonly chunksInFlight: number;
  private readonly idleMs: number;
  private readonly onIdleStop: (() => void) | undefined;
  private idleTimer: NodeJS.Timeout | null = null;
  private readonly lanes: Lane[] = [];
  private readonly idleLanes: Lane[] = [];
  private readonly laneWaiters: Array<{ resolve: (lane: Lane) => void; reject: (reason: unknown) => void }> = [];
  private threads: HashThreads | null = null;
  private closed = false;

  constructor(options: HashingPoolOptions = {}) {
    this.maxConcurrentJobs = positiveInteger('maxConcurrentJobs', options.maxConcurrentJobs ?? 4);
    this.chunkBytes = positiveInteger('chunkBytes', options.chunkBytes ?? 1024 * 1024);
    this.chunksInFlight = positiveInteger('chunksInFlight', options.chunksInFlight ?? 4);
    this.idleMs = positiveInteger('idleMs', options.idleMs ?? 5_000);
    this.onIdleStop = options.onIdleStop;
  }

  /** Whether the hashing threads are running (they stop when idle). */
  get threadsRunning(): boolean {
    return this.threads !== null;
  }

  /** A hasher for a stream; it takes one of the jobs on its first update() or digest(). */
  streamHasher(): StreamHasher {
    return new StreamHasher(() => this.startJob());
  }

  async hashFile(path: string, options: { signal?: AbortSignal } = {}): Promise<ImageDigests> {
    const file = await open(path, 'r');
    try {
      return await this.hashFileHandle(file, options);
    } finally {
      await file.close();
    }
  }

  /** Hashes an open file from its start to its end, reading by position (the handle's own position is left alone). */
  async hashFileHandle(file: FileHandle, options: { signal?: AbortSignal } = {}): Promise<ImageDigests> {
    const { signal } = options;
    signal?.throwIfAborted();
    const job = await this.startJob(signal);
    const onAbort = () => job.abort(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    try {
      let size = 0;
      for (;;) {
        const slot = await job.freeSlot();
        const buffer = job.slotBuffer(slot);
        const { bytesRead } = await file.read(buffer, 0, buffer.length, size);
        if (bytesRead === 0) break;
        job.submit(slot, bytesRead);
        size += bytesRead;
      }
      const { md5, sha512 } = await job.digest();
      return { md5, sha512, size };
    } catch (error) {
      job.abort(error);
      throw error;
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }

  /** Fails the jobs in progress and the waiting ones, and stops the threads. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    this.cancelIdleStop();
    const error = new Error('the hashing pool is closed');
    for (const waiter of this.laneWaiters.splice(0)) waiter.reject(error);
    const threads = this.threads;
    this.threads = null;
    for (const lane of this.lanes) lane.job?.fail(error);
    await Promise.all([...(threads?.values() ?? [])].map((thread) => thread.terminate()));
  }

  private async startJob(signal?: AbortSignal): Promise<HashJob> {
    const lane = await this.acquireLane(signal);
    if (this.closed) throw new Error('the hashing pool is closed');
    this.cancelIdleStop();
    this.threads ??= this.spawnThreads();
    for (const thread of this.threads.values()) thread.ref();
    lane.job = new HashJob(lane, this.threads, () => this.releaseLane(lane));
    return lane.job;
  }

  private acquireLane(signal?: AbortSignal): Promise<Lane> {
    if (this.closed) return Promise.reject(new Error('the hashing pool is closed'));
    const lane = this.idleLanes.pop() ?? (this.lanes.length < this.maxConcurrentJobs ? this.newLane() : undefined);
    if (lane) return Promise.resolve(lane);
    return new Promise((resolve, reject) => {
      const onAbort = () => {
        this.laneWaiters.splice(this.laneWaiters.indexOf(waiter), 1);
        reject(signal!.reason);
      };
      const waiter = {
        resolve: (granted: Lane) => {
          signal?.removeEventListener('abort', onAbort);
          resolve(granted);
        },
        reject: (reason: unknown) => {
          signal?.removeEventListener('abort', onAbort);
          reject(reason);
        },
      };
      this.laneWaiters.push(waiter);
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  }

  private releaseLane(lane: Lane): void {
    lane.job = null;
    const waiter = this.laneWaiters.shift();
    if (waiter) return waiter.resolve(lane);
    this.idleLanes.push(lane);
    if (this.idleLanes.length < this.lanes.length) return;
    for (const thread of this.threads?.values() ?? []) thread.unref();
    this.idleTimer = setTimeout(() => this.stopIdle(), this.idleMs).unref();
  }

  /** No job for idleMs: the threads stop and the lanes' shared memory goes. */
  private stopIdle(): void {
    this.idleTimer = null;
    const threads = this.threads;
    this.threads = null;
    this.lanes.length = 0;
    this.idleLanes.length = 0;
    void Promise.all([...(threads?.values() ?? [])].map((thread) => thread.terminate())).then(() => this.onIdleStop?.());
  }

  private cancelIdleStop(): void {
    if (this.idleTimer) clearTimeout(this.idleTimer);
    this.idleTimer = null;
  }

  private newLane(): Lane {
    // Aligned for direct I/O, so that an upload's blocks are written to its file from the very
    // memory hashed; with a chunkBytes that is a multiple of DIRECT_IO_ALIGNMENT every slot is.
    const memory = alignedSharedBuffer(this.chunksInFlight * this.chunkBytes, DIRECT_IO_ALIGNMENT);
    const slots = Array.from({ length: this.chunksInFlight }, (_, slot) => memory.subarray(slot * this.chunkBytes, (slot + 1) * this.chunkBytes));
    const lane: Lane = { index: this.lanes.length, slots, job: null };
    this.lanes.push(lane);
    return lane;
  }

  private spawnThreads(): HashThreads {
    const threads = new Map<HashAlgorithm, Worker>();
    for (const algorithm of ALGORITHMS) {
      const thread = new Worker(HASH_THREAD_SOURCE, { eval: true, workerData: algorithm });
      thread.on('message', (reply: HashReply) => {
        if (this.threads === threads) this.lanes[reply.lane].job?.onReply(algorithm, reply);
      });
      thread.on('error', (error) => this.threadsFailed(threads, new Error(`the ${algorithm} hashing thread failed: ${error.message}`, { cause: error })));
      thread.on('exit', (code) => this.threadsFailed(threads, new Error(`the ${algorithm} hashing thread exited (code ${code})`)));
      threads.set(algorithm, thread);
    }
    return threads;
  }

  /** A thread died: its jobs cannot finish; stop its sibling too (lanes must start clean) and spawn anew on the next job. */
  private threadsFailed(threads: HashThreads, error: Error): void {
    if (this.threads !== threads) return;
    this.threads = null;
    for (const thread of threads.values()) void thread.terminate();
    for (const lane of this.lanes) lane.job?.fail(error);
  }
}

function positiveInteger(name: string, value: number): number {
  if (!Number.isSafeInteger(value) || value <= 0) throw new Error(`HashingPool ${name} must be a positive integer, not ${value}`);
  return value;
}
