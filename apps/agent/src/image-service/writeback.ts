import type { FileHandle } from 'node:fs/promises';

/**
 * Starts writing the file's data back to the disk (fdatasync, off the event loop) each time
 * another `every` bytes have been written, one at a time, while the upload continues: the disk
 * works during the upload instead of all of it in the final fsync.
 */
export class Writeback {
  private pending: Promise<void> | null = null;
  private failure: unknown = null;
  private next: number;

  constructor(
    private readonly file: Pick<FileHandle, 'datasync'>,
    private readonly every: number,
  ) {
    this.next = every;
  }

  /** Bytes up to `end` are in the file. */
  written(end: number): void {
    if (end < this.next || this.pending) return;
    this.next = end + this.every;
    this.pending = this.file.datasync().then(
      () => void (this.pending = null),
      (error: unknown) => void ((this.pending = null), (this.failure ??= error)),
    );
  }

  /** Waits for the writeback in progress; rejects with the error of any (an fsync reports a write error only once). */
  async settled(): Promise<void> {
    await this.pending;
    if (this.failure) throw this.failure;
  }
}
