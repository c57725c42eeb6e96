import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { createHash, randomBytes, randomFillSync } from 'node:crypto';
import { mkdtemp, open, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { HashingPool, type ImageDigests } from './hashing.js';
import { copyIntoShared } from './stream-hasher.js';

const CHUNK = 64 * 1024;

function reference(data: Buffer): ImageDigests {
  return { md5: createHash('md5').update(data).digest('hex'), sha512: createHash('sha512').update(data).digest('hex'), size: data.length };
}

function coreutilsDigest(command: 'md5sum' | 'sha512sum', path: string): string {
  return execFileSync(command, [path], { encoding: 'utf8' }).split(' ')[0];
}

function abortReason(error: unknown): string {
  return (error as Error).name;
}

describe('HashingPool', () => {
  let directory: string;
  // Small chunks so that every test cycles through the slots many times.
  const pool = new HashingPool({ chunkBytes: CHUNK, chunksInFlight: 3 });

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'hashing-'));
  });

  afterAll(async () => {
    await pool.close();
    await rm(directory, { recursive: true, force: true });
  });

  it.each([0, 1, CHUNK - 1, CHUNK, CHUNK + 1, 3 * CHUNK + 17, 1_000_003])('hashes a %i-byte file as md5sum, sha512sum and node:crypto do', async (size) => {
    const data = randomBytes(size);
    const path = join(directory, `file-${size}`);
    await writeFile(path, data);
    const digests = await pool.hashFile(path);
    expect(digests).toEqual(reference(data));
    expect(digests.md5).toBe(coreutilsDigest('md5sum', path));
    expect(digests.sha512).toBe(coreutilsDigest('sha512sum', path));
  });

  it('hashes a stream fed in chunks of any size, empty ones included', async () => {
    const data = randomBytes(5 * CHUNK + 12_345);
    const hasher = pool.streamHasher();
    const sizes = [0, 1, 1000, CHUNK - 3, 0, 2 * CHUNK + 5, 7];
    for (let offset = 0, index = 0; offset < data.length; index++) {
      const length = Math.min(data.length - offset, sizes[index % sizes.length]);
      await hasher.update(data.subarray(offset, offset + length));
      offset += length;
    }
    expect(await hasher.digest()).toEqual(reference(data));
  });

  it('hashes an empty stream', async () => {
    expect(await pool.streamHasher().digest()).toEqual(reference(Buffer.alloc(0)));
  });

  it('leaves the caller its chunk untouched and reusable once update resolves', async () => {
    const chunk = Buffer.alloc(CHUNK / 2);
    const hasher = pool.streamHasher();
    const whole: Buffer[] = [];
    for (let index = 0; index < 10; index++) {
      chunk.fill(index);
      whole.push(Buffer.from(chunk));
      await hasher.update(chunk);
      expect(chunk.every((byte) => byte === index)).toBe(true);
    }
    expect(await hasher.digest()).toEqual(reference(Buffer.concat(whole)));
  });

  it('refuses an update before the previous one resolved, and any call after digest', async () => {
    const hasher = pool.streamHasher();
    const first = hasher.update(randomBytes(10));
    await expect(hasher.update(randomBytes(10))).rejects.toThrow('StreamHasher.update called before the previous call resolved');
    await first;
    await hasher.digest();
    await expect(hasher.update(randomBytes(10))).rejects.toThrow('StreamHasher.update called after digest()');
  });

  describe('writeBlocksTo', () => {
    it('hands every block to the writer at its offset, from the memory it hashes, and digest waits for the writes', async () => {
      const data = randomBytes(4 * CHUNK + 777);
      const copy = Buffer.alloc(data.length);
      const positions: number[] = [];
      let pending = 0;
      const hasher = pool.streamHasher();
      hasher.writeBlocksTo(async (block, position) => {
        positions.push(position);
        pending++;
        // A slow disk: the block must still hold its bytes when the write gets to them.
        await new Promise((resolve) => setTimeout(resolve, 5));
        block.copy(copy, position);
        pending--;
      });
      for (let offset = 0; offset < data.length; offset += 10_000) await hasher.update(data.subarray(offset, offset + 10_000));
      expect(await hasher.digest()).toEqual(reference(data));
      expect(pending).toBe(0);
      expect(copy.equals(data)).toBe(true);
      expect(positions).toEqual([0, CHUNK, 2 * CHUNK, 3 * CHUNK, 4 * CHUNK]);
    });

    it('fails the stream with the writer\'s error and frees the job', async () => {
      const single = new HashingPool({ maxConcurrentJobs: 1, chunkBytes: CHUNK, chunksInFlight: 2 });
      try {
        const hasher = single.streamHasher();
        hasher.writeBlocksTo(async (_block, position) => {
          if (position >= CHUNK) throw new Error('ENOSPC: no space left on device');
        });
        const feeding = (async () => {
          for (let index = 0; index < 10; index++) await hasher.update(randomBytes(CHUNK));
          return hasher.digest();
        })();
        await expect(feeding).rejects.toThrow('ENOSPC: no space left on device');
        hasher.abort();
        const data = randomBytes(CHUNK + 1);
        const next = single.streamHasher();
        await next.update(data);
        expect(await next.digest()).toEqual(reference(data));
      } finally {
        await single.close();
      }
    });

    it('must be set before the first update', async () => {
      const hasher = pool.streamHasher();
      await hasher.update(randomBytes(10));
      expect(() => hasher.writeBlocksTo(async () => undefined)).toThrow('StreamHasher.writeBlocksTo called after update()');
      await hasher.digest();
    });
  });

  it('copyIntoShared copies exactly the source into shared memory at the offset', () => {
    const target = Buffer.from(new SharedArrayBuffer(32));
    copyIntoShared(Buffer.from('hello'), target, 3);
    copyIntoShared(Buffer.alloc(0), target, 0);
    expect(target.subarray(0, 10)).toEqual(Buffer.from([0, 0, 0, 104, 101, 108, 108, 111, 0, 0]));
  });

  it('hashes on threads of lower priority than the event loop (niceness 10)', async () => {
    const niceness = (task: string) => Number(readFileSync(`/proc/self/task/${task}/stat`, 'utf8').split(') ')[1]!.split(' ')[16]);
    const main = niceness(String(process.pid));
    const niced = new HashingPool({ chunkBytes: CHUNK });
    try {
      const hasher = niced.streamHasher();
      await hasher.update(randomBytes(CHUNK + 1));
      await hasher.digest();
      const others = readdirSync('/proc/self/task').filter((task) => task !== String(process.pid));
      // A process already niced beyond 10 cannot raise its threads' priority: they stay at its niceness.
      expect(others.filter((task) => niceness(task) === Math.max(10, main)).length).toBeGreaterThanOrEqual(2);
      expect(niceness(String(process.pid))).toBe(main);
    } finally {
      await niced.close();
    }
  });

  it('stops its threads once idle for idleMs (and says so once they are gone) and starts them again for the next job', async () => {
    let idleStops = 0;
    const idle = new HashingPool({ chunkBytes: CHUNK, idleMs: 50, onIdleStop: () => idleStops++ });
    try {
      expect(idle.threadsRunning).toBe(false);
      const first = randomBytes(CHUNK + 5);
      const hasher = idle.streamHasher();
      await hasher.update(first);
      expect(idle.threadsRunning).toBe(true);
      expect(await hasher.digest()).toEqual(reference(first));
      await new Promise((resolve) => setTimeout(resolve, 200));
      expect(idle.threadsRunning).toBe(false);
      expect(idleStops).toBe(1);
      const second = randomBytes(3 * CHUNK);
      const again = idle.streamHasher();
      await again.update(second);
      expect(await again.digest()).toEqual(reference(second));
    } finally {
      await idle.close();
    }
  });

  it('runs more jobs than maxConcurrentJobs one after another, each correct', async () => {
    const single = new HashingPool({ maxConcurrentJobs: 1, chunkBytes: CHUNK, chunksInFlight: 2 });
    try {
      const files = await Promise.all(
        [0, 1, 2, 3].map(async (index) => {
          const data = randomBytes(4 * CHUNK + index);
          const path = join(directory, `concurrent-${index}`);
          await writeFile(path, data);
          return { data, path };
        }),
      );
      const streamed = randomBytes(3 * CHUNK + 1);
      const streaming = (async () => {
        const hasher = single.streamHasher();
        await hasher.update(streamed);
        return hasher.digest();
      })();
      const results = await Promise.all([...files.map(({ path }) => single.hashFile(path)), streaming]);
      expect(results).toEqual([...files.map(({ data }) => reference(data)), reference(streamed)]);
    } finally {
      await single.close();
    }
  });

  it('keeps the event loop responsive while hashing a 256 MiB file (delay logged, not asserted)', async () => {
    const path = join(directory, 'large');
    const file = await open(path, 'w');
    const block = Buffer.alloc(16 * 2 ** 20);
    for (let written = 0; written < 256 * 2 ** 20; written += block.length) await file.write(randomFillSync(block));
    await file.close();
    const defaults = new HashingPool();
    const delay = monitorEventLoopDelay({ resolution: 1 });
    try {
      delay.enable();
      const started = performance.now();
      const digests = await defaults.hashFile(path);
      const elapsed = performance.now() - started;
      delay.disable();
      const ms = (nanoseconds: number) => (nanoseconds / 1e6).toFixed(1);
      console.log(
        `hashed 256 MiB (md5 + sha512) in ${elapsed.toFixed(0)} ms, ${((256 * 1000) / elapsed).toFixed(0)} MiB/s; ` +
          `event-loop delay (sampled every 1 ms, so ~1 ms is no delay) p50 ${ms(delay.percentile(50))} ms, p99 ${ms(delay.percentile(99))} ms, max ${ms(delay.max)} ms`,
      );
      expect(digests.size).toBe(256 * 2 ** 20);
      expect(digests.md5).toBe(coreutilsDigest('md5sum', path));
      expect(digests.sha512).toBe(coreutilsDigest('sha512sum', path));
    } finally {
      delay.disable();
      await defaults.close();
      await rm(path);
    }
  }, 60_000);

  describe('abort', () => {
    let large: string;

    beforeAll(async () => {
      large = join(directory, 'abort-me');
      await writeFile(large, randomBytes(32 * 2 ** 20));
    });

    it('rejects a file hash with the signal\'s AbortError and frees the job for the next one', async () => {
      const single = new HashingPool({ maxConcurrentJobs: 1, chunkBytes: CHUNK });
      try {
        const controller = new AbortController();
        const hashing = single.hashFile(large, { signal: controller.signal });
        setImmediate(() => controller.abort());
        await expect(hashing.catch(abortReason)).resolves.toBe('AbortError');
        const data = randomBytes(CHUNK * 2 + 1);
        await writeFile(join(directory, 'after-abort'), data);
        expect(await single.hashFile(join(directory, 'after-abort'))).toEqual(reference(data));
      } finally {
        await single.close();
      }
    });

    it('rejects at once with an already aborted signal, and while waiting for a free job', async () => {
      const single = new HashingPool({ maxConcurrentJobs: 1, chunkBytes: CHUNK });
      try {
        await expect(single.hashFile(large, { signal: AbortSignal.abort() }).catch(abortReason)).resolves.toBe('AbortError');
        const busy = single.streamHasher();
        await busy.update(randomBytes(10));
        const controller = new AbortController();
        const waiting = single.hashFile(large, { signal: controller.signal });
        controller.abort();
        await expect(waiting.catch(abortReason)).resolves.toBe('AbortError');
        await busy.digest();
        expect((await single.hashFile(large)).size).toBe(32 * 2 ** 20);
      } finally {
        await single.close();
      }
    });

    it('makes a stream hasher\'s later calls reject and frees its job', async () => {
      const single = new HashingPool({ maxConcurrentJobs: 1, chunkBytes: CHUNK });
      try {
        const hasher = single.streamHasher();
        await hasher.update(randomBytes(5 * CHUNK));
        hasher.abort();
        await expect(hasher.update(randomBytes(10)).catch(abortReason)).resolves.toBe('AbortError');
        await expect(hasher.digest().catch(abortReason)).resolves.toBe('AbortError');
        const data = randomBytes(CHUNK + 3);
        const next = single.streamHasher();
        await next.update(data);
        expect(await next.digest()).toEqual(reference(data));
      } finally {
        await single.close();
      }
    });
  });

  it('close() fails the jobs in progress and refuses new ones', async () => {
    const closing = new HashingPool({ chunkBytes: CHUNK });
    const hasher = closing.streamHasher();
    await hasher.update(randomBytes(100));
    await closing.close();
    await expect(hasher.digest()).rejects.toThrow('the hashing pool is closed');
    await expect(closing.hashFile(join(directory, 'file-1'))).rejects.toThrow('the hashing pool is closed');
  });
});
