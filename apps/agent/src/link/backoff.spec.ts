import { describe, expect, it } from '@jest/globals';
import { Backoff } from './backoff.js';

describe('Backoff', () => {
  it('grows exponentially up to the cap, with jitter below the ceiling', () => {
    const backoff = new Backoff(100, 1000, () => 0.999);
    expect([1, 2, 3, 4, 5, 6].map(() => backoff.next())).toEqual([99, 199, 399, 799, 999, 999]);
  });

  it('never waits less than 50 ms and starts over after reset', () => {
    const backoff = new Backoff(100, 1000, () => 0);
    expect(backoff.next()).toBe(50);
    const high = new Backoff(100, 1000, () => 0.5);
    high.next();
    high.next();
    high.reset();
    expect(high.next()).toBe(50);
  });
});
