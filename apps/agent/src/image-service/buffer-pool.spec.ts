import { describe, expect, it } from '@jest/globals';
import { BufferPool } from './buffer-pool.js';

describe('BufferPool', () => {
  it('hands out buffers of its size and reuses a buffer given back', () => {
    const pool = new BufferPool(1024, 2);
    const first = pool.take();
    expect(first.length).toBe(1024);
    pool.give(first);
    expect(pool.idleCount).toBe(1);
    expect(pool.take()).toBe(first);
    expect(pool.idleCount).toBe(0);
  });

  it('allocates new buffers while none is idle', () => {
    const pool = new BufferPool(16, 4);
    const a = pool.take();
    const b = pool.take();
    expect(a).not.toBe(b);
    a.fill(1);
    expect(b.includes(1)).toBe(false);
  });

  it('keeps at most maxIdle buffers, and a buffer given back twice only once', () => {
    const pool = new BufferPool(8, 2);
    const buffers = [pool.take(), pool.take(), pool.take()];
    for (const buffer of buffers) pool.give(buffer);
    expect(pool.idleCount).toBe(2);
    const again = new BufferPool(8, 4);
    const one = again.take();
    again.give(one);
    again.give(one);
    expect(again.idleCount).toBe(1);
  });

  it('refuses a buffer of another size and bad settings', () => {
    const pool = new BufferPool(8, 2);
    expect(() => pool.give(Buffer.alloc(9))).toThrow('a 9-byte buffer in a pool of 8-byte buffers');
    expect(() => new BufferPool(0, 1)).toThrow('bufferBytes must be a positive integer');
    expect(() => new BufferPool(8, -1)).toThrow('maxIdle must be a non-negative integer');
  });
});
