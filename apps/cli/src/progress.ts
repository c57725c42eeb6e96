import cliProgress from 'cli-progress';
import { describeCompletion, describeProgress, TransferMeter } from './transfer-meter.js';

/** How a transfer shows its progress: a live bar on a terminal, plain lines otherwise. */
export interface TransferProgress {
  update(done: number, total: number | null): void;
  /** A line of its own (above the bar on a terminal): a host failed, the transfer resumes elsewhere. */
  note(message: string): void;
  /** The transfer completed: final state and a summary. */
  finish(): void;
  /** The transfer failed: stop drawing, leave the last state. */
  abandon(): void;
}

export interface ProgressOptions {
  /** What moves: `upload cirros.qcow2`. */
  label: string;
  stream: NodeJS.WritableStream;
  /** A terminal: draw a bar (cli-progress); otherwise print a line at the start, every `intervalMs` and at the end. */
  tty: boolean;
  intervalMs?: number;
  clock?: () => number;
}

export function startProgress(options: ProgressOptions): TransferProgress {
  return options.tty ? new BarProgress(options) : new LineProgress(options);
}

/** Plain lines for logs and pipes: `upload x: 12.0 MiB / 64.0 MiB  18%  35.2 MiB/s  ETA 0:02`. */
class LineProgress implements TransferProgress {
  private readonly meter: TransferMeter;
  private readonly clock: () => number;
  private readonly intervalMs: number;
  private lastLineAt: number | null = null;

  constructor(private readonly options: ProgressOptions) {
    this.clock = options.clock ?? Date.now;
    this.intervalMs = options.intervalMs ?? 1_000;
    this.meter = new TransferMeter(this.clock());
  }

  update(done: number, total: number | null): void {
    const now = this.clock();
    this.meter.record(done, total, now);
    if (this.lastLineAt !== null && now - this.lastLineAt < this.intervalMs) return;
    this.lastLineAt = now;
    this.line(describeProgress(this.meter.snapshot(now)));
  }

  note(message: string): void {
    this.line(message);
  }

  finish(): void {
    this.line(describeCompletion(this.meter.snapshot(this.clock())));
  }

  abandon(): void {}

  private line(text: string): void {
    this.options.stream.write(`${this.options.label}: ${text}\n`);
  }
}

/** A cli-progress bar redrawn in place, with the meter's speed and ETA. */
class BarProgress implements TransferProgress {
  private readonly meter: TransferMeter;
  private readonly clock: () => number;
  private readonly bars: cliProgress.MultiBar;
  private readonly bar: cliProgress.SingleBar;
  private text = '';

  constructor(options: ProgressOptions) {
    this.clock = options.clock ?? Date.now;
    this.meter = new TransferMeter(this.clock());
    this.text = describeProgress(this.meter.snapshot(this.clock()));
    this.bars = new cliProgress.MultiBar({
      stream: options.stream as NodeJS.WriteStream,
      hideCursor: true,
      barCompleteChar: '\u2588',
      barIncompleteChar: '\u2591',
      barsize: 30,
      fps: 10,
      format: (barOptions, params) => `${options.label} ${cliProgress.Format.BarFormat(Number.isFinite(params.progress) ? params.progress : 0, barOptions)} ${this.text}`,
    });
    this.bar = this.bars.create(1, 0);
  }

  update(done: number, total: number | null): void {
    const now = this.clock();
    this.meter.record(done, total, now);
    this.text = describeProgress(this.meter.snapshot(now));
    if (total !== null && total !== this.bar.getTotal()) this.bar.setTotal(total);
    this.bar.update(done);
  }

  note(message: string): void {
    this.bars.log(`${message}\n`);
  }

  finish(): void {
    this.text = describeCompletion(this.meter.snapshot(this.clock()));
    this.bar.update(this.bar.getTotal());
    this.stop();
  }

  abandon(): void {
    this.stop();
  }

  private stop(): void {
    this.bars.update();
    this.bars.stop();
  }
}
