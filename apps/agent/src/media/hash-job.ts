import type { Worker } from 'node:worker_threads';
import type { HashAlgorithm, HashReply, HashRequest } from './hash-thread.js';

export type HashThreads = ReadonlyMap<HashAlgorithm, Worker>;

/** A place for one hash job at a time: its slots (views of one block of shared memory), reused job after job. */
export interface Lane {
  index: number;
  slots: Buffer[];
  job: HashJob | null;
}

interface Waiter<T> {
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
}

/**
 * One hash job on a lane: hands out free slots to fill, sends filled ones to every hashing thread
 * and frees a slot once all of them are done with it, then collects the digests. It ends (and
 * calls onEnd, which frees the lane) only once the threads have answered the digest or the abort,
 * so no late reply of it can reach the lane's next job.
 */
export class HashJob {
  private readonly freeSlots: number[];
  private readonly readers: number[];
  private slotWaiter: Waiter<number> | null = null;
  private digestWaiter: Waiter<Record<HashAlgorithm, string>> | null = null;
  private readonly digests = new Map<HashAlgorithm, string>();
  private abortsAcknowledged = 0;
  private state: 'running' | 'digesting' | 'aborting' | 'ended' = 'running';
  private failure: unknown = null;

  constructor(
    private readonly lane: Lane,
    private readonly threads: HashThreads,
    private readonly onEnd: () => void,
  ) {
    this.freeSlots = lane.slots.map((_, slot) => slot).reverse();
    this.readers = lane.slots.map(() => 0);
    this.post({ type: 'start', lane: lane.index, slots: lane.slots });
  }

  /** A slot to fill; waits while every slot is with the threads. One caller at a time. */
  freeSlot(): Promise<number> {
    this.assertRunning();
    const slot = this.freeSlots.pop();
    if (slot !== undefined) return Promise.resolve(slot);
    return new Promise((resolve, reject) => (this.slotWaiter = { resolve, reject }));
  }

  slotBuffer(slot: number): Buffer {
    return this.lane.slots[slot];
  }

  /**
   * Hands the first `length` bytes of a filled slot to the threads. With `alsoReadBy` (say, a write
   * of the same memory to a file) the slot stays taken until that settles too, and the job aborts
   * with its error if it rejects.
   */
  submit(slot: number, length: number, alsoReadBy?: Promise<unknown>): void {
    this.assertRunning();
    this.readers[slot] = this.threads.size + (alsoReadBy ? 1 : 0);
    this.post({ type: 'chunk', lane: this.lane.index, slot, length });
    alsoReadBy?.then(
      () => this.slotRead(slot),
      (error: unknown) => this.abort(error),
    );
  }

  digest(): Promise<Record<HashAlgorithm, string>> {
    this.assertRunning();
    this.state = 'digesting';
    const digests = new Promise<Record<HashAlgorithm, string>>((resolve, reject) => (this.digestWaiter = { resolve, reject }));
    this.post({ type: 'digest', lane: this.lane.index });
    return digests;
  }

  /** Stops the job: whatever waits on it rejects with `reason`; the lane frees once the threads have dropped it. */
  abort(reason: unknown): void {
    if (this.state === 'aborting' || this.state === 'ended') return;
    this.state = 'aborting';
    this.rejectWaiters(reason);
    this.post({ type: 'abort', lane: this.lane.index });
  }

  /** Ends the job at once because its threads are gone. */
  fail(error: Error): void {
    if (this.state === 'ended') return;
    this.state = 'ended';
    this.rejectWaiters(error);
    this.onEnd();
  }

  onReply(algorithm: HashAlgorithm, reply: HashReply): void {
    switch (reply.type) {
      case 'chunk-done':
        return this.slotRead(reply.slot);
      case 'digest':
        if (this.state !== 'digesting') return;
        this.digests.set(algorithm, reply.hex);
        if (this.digests.size < this.threads.size) return;
        this.state = 'ended';
        this.onEnd();
        this.digestWaiter!.resolve(Object.fromEntries(this.digests) as Record<HashAlgorithm, string>);
        return;
      case 'aborted':
        if (++this.abortsAcknowledged < this.threads.size) return;
        this.state = 'ended';
        this.onEnd();
        return;
    }
  }

  /** One reader of the slot is done with it; the last one frees it. */
  private slotRead(slot: number): void {
    if (--this.readers[slot] > 0 || this.state === 'ended') return;
    if (this.slotWaiter) {
      this.slotWaiter.resolve(slot);
      this.slotWaiter = null;
    } else {
      this.freeSlots.push(slot);
    }
  }

  private assertRunning(): void {
    if (this.state === 'running') return;
    throw this.failure ?? new Error(`the hash job is ${this.state === 'digesting' ? 'being digested' : 'over'}`);
  }

  private rejectWaiters(reason: unknown): void {
    this.failure = reason;
    this.slotWaiter?.reject(reason);
    this.digestWaiter?.reject(reason);
    this.slotWaiter = null;
    this.digestWaiter = null;
  }

  private post(request: HashRequest): void {
    for (const thread of this.threads.values()) thread.postMessage(request);
  }
}
