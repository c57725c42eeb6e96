/**
 * Buffers of one size, reused: a buffer given back is handed out again instead of a new one being
 * allocated (a fresh large Buffer costs page faults on first touch and garbage-collector work later).
 * At most `maxIdle` buffers are kept while unused; others are left to the garbage collector.
 */
export class BufferPool {
  private readonly idle: Buffer[] = [];

  constructor(
    readonly bufferBytes: number,
    private readonly maxIdle: number,
  ) {
    if (!Number.isSafeInteger(bufferBytes) || bufferBytes <= 0) throw new Error(`BufferPool bufferBytes must be a positive integer, not ${bufferBytes}`);
    if (!Number.isSafeInteger(maxIdle) || maxIdle < 0) throw new Error(`BufferPool maxIdle must be a non-negative integer, not ${maxIdle}`);
  }

  /** A buffer of bufferBytes, with whatever bytes it held before. */
  take(): Buffer {
    return this.idle.pop() ?? Buffer.allocUnsafeSlow(this.bufferBytes);
  }

  /** Returns a buffer from take(); the caller must not use it afterwards. */
  give(buffer: Buffer): void {
    if (buffer.length !== this.bufferBytes) throw new Error(`BufferPool.give: a ${buffer.length}-byte buffer in a pool of ${this.bufferBytes}-byte buffers`);
    if (this.idle.length < this.maxIdle && !this.idle.includes(buffer)) this.idle.push(buffer);
  }

  /** Buffers kept for reuse now. */
  get idleCount(): number {
    return this.idle.length;
  }
}
