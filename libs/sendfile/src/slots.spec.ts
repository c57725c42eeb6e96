import { describe, expect, it } from '@jest/globals';
import { Slots } from './slots.js';

/** A task that runs until released, recording when it started. */
function gate(started: number[], id: number) {
  let release: () => void = () => undefined;
  const done = new Promise<void>((resolve) => (release = resolve));
  return {
    task: async () => {
      started.push(id);
      await done;
      return id;
    },
    release: () => release(),
  };
}

describe('Slots', () => {
  it('runs at most `size` tasks at once, the others first come first served', async () => {
    const slots = new Slots(2);
    const started: number[] = [];
    const gates = [0, 1, 2, 3].map((id) => gate(started, id));
    const results = gates.map((g) => slots.run(g.task));
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(slots.queued).toBe(2);
    gates[1]!.release();
    expect(await results[1]).toBe(1);
    expect(started).toEqual([0, 1, 2]);
    gates[0]!.release();
    expect(await results[0]).toBe(0);
    expect(started).toEqual([0, 1, 2, 3]);
    gates[2]!.release();
    gates[3]!.release();
    expect(await Promise.all(results)).toEqual([0, 1, 2, 3]);
    expect(slots.queued).toBe(0);
  });

  it('gives the slot back when a task fails', async () => {
    const slots = new Slots(1);
    await expect(slots.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await slots.run(() => Promise.resolve('next'))).toBe('next');
  });

  it('refuses a size that is not a positive integer', () => {
    expect(() => new Slots(0)).toThrow('Slots size must be a positive integer, not 0');
  });
});
