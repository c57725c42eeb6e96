import { describe, expect, it } from '@jest/globals';
import { ConcurrencyLimit } from './concurrency-limit.js';

describe('ConcurrencyLimit', () => {
  it('runs at most `limit` tasks at once, in arrival order', async () => {
    const limit = new ConcurrencyLimit(2);
    let running = 0;
    let most = 0;
    const started: number[] = [];
    const task = (index: number) => async () => {
      started.push(index);
      most = Math.max(most, ++running);
      await new Promise((resolve) => setImmediate(resolve));
      running -= 1;
      return index;
    };
    const signal = new AbortController().signal;
    expect(await Promise.all([0, 1, 2, 3, 4].map((index) => limit.run(task(index), signal)))).toEqual([0, 1, 2, 3, 4]);
    expect(most).toBe(2);
    expect(started).toEqual([0, 1, 2, 3, 4]);
  });

  it('lets a waiting task be aborted, and frees its place after a task fails', async () => {
    const limit = new ConcurrencyLimit(1);
    let release!: () => void;
    const first = limit.run(() => new Promise<void>((resolve) => (release = resolve)), new AbortController().signal);
    const controller = new AbortController();
    const waiting = limit.run(async () => 'never', controller.signal);
    controller.abort(new Error('stop waiting'));
    await expect(waiting).rejects.toThrow('stop waiting');
    release();
    await first;
    await expect(limit.run(() => Promise.reject(new Error('task failed')), new AbortController().signal)).rejects.toThrow('task failed');
    expect(await limit.run(async () => 'next', new AbortController().signal)).toBe('next');
  });
});
