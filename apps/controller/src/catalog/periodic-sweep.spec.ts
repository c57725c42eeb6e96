import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import type { Logger } from '@nestjs/common';
import { PeriodicSweep, POKE_COALESCE_MS } from './periodic-sweep.js';

describe('PeriodicSweep', () => {
  const logger = { warn: jest.fn() } as unknown as Logger;
  let finish: (() => void) | null;
  let runs: number;
  let sweep: PeriodicSweep;

  beforeEach(() => {
    jest.useFakeTimers();
    runs = 0;
    finish = null;
    sweep = new PeriodicSweep('test sweep', 60_000, () => {
      runs += 1;
      return new Promise<void>((resolve) => (finish = resolve));
    }, logger);
  });

  afterEach(() => {
    sweep.stop();
    jest.useRealTimers();
  });

  it('makes one sweep of a burst of pokes', async () => {
    for (let i = 0; i < 1000; i++) sweep.poke();
    expect(runs).toBe(0);
    await jest.advanceTimersByTimeAsync(POKE_COALESCE_MS);
    expect(runs).toBe(1);
    finish!();
    await jest.advanceTimersByTimeAsync(10 * POKE_COALESCE_MS);
    expect(runs).toBe(1);
  });

  it('sweeps once more after a sweep during which it was poked, never two at once', async () => {
    sweep.poke();
    await jest.advanceTimersByTimeAsync(POKE_COALESCE_MS);
    expect(runs).toBe(1);
    sweep.poke();
    sweep.poke();
    await jest.advanceTimersByTimeAsync(10 * POKE_COALESCE_MS);
    expect(runs).toBe(1);
    finish!();
    await jest.advanceTimersByTimeAsync(POKE_COALESCE_MS);
    expect(runs).toBe(2);
    finish!();
    await jest.advanceTimersByTimeAsync(10 * POKE_COALESCE_MS);
    expect(runs).toBe(2);
  });

  it('also sweeps on its timer, and logs a failed sweep', async () => {
    const failing = new PeriodicSweep('failing sweep', 1000, () => Promise.reject(new Error('boom')), logger);
    failing.start();
    await jest.advanceTimersByTimeAsync(1000);
    failing.stop();
    expect(logger.warn).toHaveBeenCalledWith('failing sweep failed: Error: boom');
  });
});
