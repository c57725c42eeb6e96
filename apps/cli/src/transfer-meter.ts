import { formatBytes, formatDuration } from './format.js';

/** Where a transfer stands: bytes, speed over the last seconds, time left. */
export interface ProgressSnapshot {
  done: number;
  total: number | null;
  /** Bytes per second over the recent window; null until there are two samples apart in time. */
  bytesPerSecond: number | null;
  /** Seconds left at that speed; null without a total or a speed. */
  etaSeconds: number | null;
  elapsedSeconds: number;
}

/** Speed and ETA of a transfer from (time, bytes) samples over a sliding window; a restart from 0 starts over. */
export class TransferMeter {
  private samples: { at: number; done: number }[] = [];
  private total: number | null = null;

  constructor(
    private readonly startedAt: number,
    private readonly windowMs = 5_000,
  ) {
    this.samples.push({ at: startedAt, done: 0 });
  }

  record(done: number, total: number | null, at: number): void {
    this.total = total;
    const last = this.samples[this.samples.length - 1]!;
    if (done < last.done) this.samples = [];
    this.samples.push({ at, done });
    while (this.samples.length > 2 && at - this.samples[1]!.at >= this.windowMs) this.samples.shift();
  }

  snapshot(at: number): ProgressSnapshot {
    const first = this.samples[0]!;
    const last = this.samples[this.samples.length - 1]!;
    const span = (last.at - first.at) / 1000;
    const bytesPerSecond = this.samples.length >= 2 && span > 0 ? (last.done - first.done) / span : null;
    const etaSeconds = this.total !== null && bytesPerSecond ? Math.max(0, this.total - last.done) / bytesPerSecond : null;
    return { done: last.done, total: this.total, bytesPerSecond, etaSeconds, elapsedSeconds: (at - this.startedAt) / 1000 };
  }
}

/** `12.0 MiB / 64.0 MiB  18%  35.2 MiB/s  ETA 0:02` (what is unknown is left out). */
export function describeProgress(snapshot: ProgressSnapshot): string {
  const { done, total, bytesPerSecond, etaSeconds } = snapshot;
  const parts = [total === null ? formatBytes(done) : `${formatBytes(done)} / ${formatBytes(total)}`];
  if (total !== null) parts.push(`${percent(done, total)}%`);
  parts.push(bytesPerSecond === null ? '-- /s' : `${formatBytes(Math.round(bytesPerSecond))}/s`);
  parts.push(`ETA ${etaSeconds === null ? '--:--' : formatDuration(etaSeconds)}`);
  return parts.join('  ');
}

/** The last line: `64.0 MiB / 64.0 MiB  100%  31.5 MiB/s  ETA 0:00  done in 0:02` (the average speed when the window has none). */
export function describeCompletion(snapshot: ProgressSnapshot): string {
  const seconds = snapshot.elapsedSeconds;
  const bytesPerSecond = snapshot.bytesPerSecond ?? (seconds > 0 ? snapshot.done / seconds : null);
  return `${describeProgress({ ...snapshot, bytesPerSecond, etaSeconds: 0 })}  done in ${formatDuration(seconds)}`;
}

function percent(done: number, total: number): number {
  return total > 0 ? Math.floor((done / total) * 100) : 100;
}
