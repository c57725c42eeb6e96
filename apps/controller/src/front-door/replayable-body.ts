import type { IncomingMessage } from 'node:http';

/** The client stopped sending the upload (it went away, or closed before the end). */
export class ClientGone extends Error {}

/**
 * An upload's body, read once from the client and handed to one host after another. Its first
 * `keepBytes` are kept, so an attempt that failed before a host committed anything can start over
 * on another host; once more than that was read, the body only passes through.
 */
export class ReplayableBody {
  private readonly kept: Buffer[] = [];
  private keptBytes = 0;
  private overflowed = false;
  private readers = 0;
  private reading: Promise<Buffer | null> | null = null;
  private readonly source: AsyncIterator<Buffer>;

  constructor(
    private readonly request: IncomingMessage,
    private readonly keepBytes: number,
  ) {
    this.source = request[Symbol.asyncIterator]() as AsyncIterator<Buffer>;
  }

  /** Whether a new reader can still start from the first byte. */
  get replayable(): boolean {
    return !this.overflowed;
  }

  /**
   * The body from its first byte: call the returned function for each chunk (null at the end). A
   * newer reader supersedes this one, which then gets null. Rejects with ClientGone.
   */
  reader(): () => Promise<Buffer | null> {
    if (this.overflowed) throw new Error('the upload was read beyond what is kept for another host');
    const generation = ++this.readers;
    let index = 0;
    return async () => {
      if (generation !== this.readers) return null;
      if (index < this.kept.length) return this.kept[index++]!;
      const chunk = await this.next();
      if (chunk !== null && !this.overflowed) index++;
      return generation === this.readers ? chunk : null;
    };
  }

  /** Reads what the client still sends and drops it; readers get nothing more. */
  async discard(): Promise<void> {
    this.readers++;
    this.overflowed = true;
    this.kept.length = 0;
    try {
      while ((await this.next()) !== null);
    } catch {
      // The client went away: nothing left to read.
    }
  }

  /** One chunk from the client, shared by whoever asks while it is on its way. */
  private next(): Promise<Buffer | null> {
    this.reading ??= this.pull().finally(() => {
      this.reading = null;
    });
    return this.reading;
  }

  private async pull(): Promise<Buffer | null> {
    let result: IteratorResult<Buffer>;
    try {
      result = await this.source.next();
    } catch (error) {
      throw new ClientGone(`the client went away during the upload (${error instanceof Error ? error.message : String(error)})`);
    }
    if (result.done) {
      if (!this.request.complete) throw new ClientGone('the client closed the upload before its end');
      return null;
    }
    const chunk = result.value;
    if (!this.overflowed && this.keptBytes + chunk.length <= this.keepBytes) {
      this.kept.push(chunk);
      this.keptBytes += chunk.length;
    } else if (!this.overflowed) {
      this.overflowed = true;
      this.kept.length = 0;
    }
    return chunk;
  }
}
