import { describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import { startProgress } from './progress.js';
import { describeCompletion, describeProgress, TransferMeter } from './transfer-meter.js';

const MiB = 1024 * 1024;

function sink(tty: boolean): { stream: NodeJS.WritableStream & { isTTY?: boolean; columns?: number }; text: () => string } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += chunk.toString('utf8');
      done();
    },
  }) as Writable & { isTTY?: boolean; columns?: number };
  if (tty) {
    stream.isTTY = true;
    stream.columns = 120;
  }
  return { stream, text: () => text };
}

describe('TransferMeter', () => {
  it('measures speed over the recent window and the time left at that speed', () => {
    const meter = new TransferMeter(0, 2_000);
    meter.record(10 * MiB, 100 * MiB, 1_000);
    meter.record(20 * MiB, 100 * MiB, 2_000);
    meter.record(40 * MiB, 100 * MiB, 3_000);
    // The window keeps the samples of the last 2 s: 20 MiB in 1 s … 30 MiB over 2 s.
    const snapshot = meter.snapshot(3_000);
    expect(snapshot.bytesPerSecond).toBe(15 * MiB);
    expect(snapshot.etaSeconds).toBe(4);
    expect(describeProgress(snapshot)).toBe('40.0 MiB / 100.0 MiB  40%  15.0 MiB/s  ETA 0:04');
  });

  it('starts over when a download restarts from zero, and knows nothing before two samples', () => {
    const meter = new TransferMeter(0);
    expect(describeProgress(meter.snapshot(0))).toBe('0 B  -- /s  ETA --:--');
    meter.record(50 * MiB, 100 * MiB, 1_000);
    meter.record(0, 100 * MiB, 1_100);
    expect(meter.snapshot(1_100)).toMatchObject({ done: 0, bytesPerSecond: null, etaSeconds: null });
  });

  it('sums up a finished transfer with the average speed when the window has none', () => {
    expect(describeCompletion({ done: 8 * MiB, total: 8 * MiB, bytesPerSecond: null, etaSeconds: null, elapsedSeconds: 2 })).toBe('8.0 MiB / 8.0 MiB  100%  4.0 MiB/s  ETA 0:00  done in 0:02');
  });
});

describe('startProgress', () => {
  it('prints plain lines when not on a terminal: at the start, at most every interval, and at the end', () => {
    const out = sink(false);
    let now = 0;
    const progress = startProgress({ label: 'upload x', stream: out.stream, tty: false, intervalMs: 1_000, clock: () => now });
    for (now = 100; now <= 2_500; now += 100) progress.update(now * 1000, 2_500_000);
    progress.note('host-a failed (503); going on with another host at 1.0 MiB');
    progress.finish();
    const lines = out.text().split('\n').filter(Boolean);
    expect(lines.map((line) => line.replace(/ {2}[\d.]+ [KM]iB\/s.*/, ''))).toEqual([
      'upload x: 97.7 KiB / 2.4 MiB  4%',
      'upload x: 1.0 MiB / 2.4 MiB  44%',
      'upload x: 2.0 MiB / 2.4 MiB  84%',
      'upload x: host-a failed (503); going on with another host at 1.0 MiB',
      'upload x: 2.4 MiB / 2.4 MiB  100%',
    ]);
    expect(lines[4]).toMatch(/ETA 0:00 {2}done in 0:03$/);
    expect(out.text()).not.toContain('\u001b');
  });

  it('draws a bar in place on a terminal (cli-progress), with notes above it', () => {
    const out = sink(true);
    let now = 0;
    const progress = startProgress({ label: 'download x', stream: out.stream, tty: true, clock: () => now });
    now = 1_000;
    progress.update(MiB, 4 * MiB);
    progress.note('host-a failed; going on with another host at 1.0 MiB');
    now = 2_000;
    progress.update(4 * MiB, 4 * MiB);
    progress.finish();
    const text = out.text();
    expect(text).toContain('host-a failed; going on with another host at 1.0 MiB\n');
    expect(text).toMatch(/download x \u2588{30} 4\.0 MiB \/ 4\.0 MiB {2}100% {2}2\.0 MiB\/s {2}ETA 0:00 {2}done in 0:02/);
    expect(text).toContain('\u001b[?25l'); // cursor hidden while drawing …
    expect(text).toContain('\u001b[?25h'); // … and shown again
  });
});
