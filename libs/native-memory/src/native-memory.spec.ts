import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { alignedSharedBuffer, returnFreeMemory } from './index.js';

const ADDON = fileURLToPath(new URL('../build/Release/native_memory.node', import.meta.url));

/**
 * In a process of its own: 80 MB of small buffers from the C heap, most of them freed (one in 64
 * kept, so that the free memory lies between used blocks, where glibc does not give it back by
 * itself), then the trim. Resident sizes in KiB.
 */
const SCRIPT = `
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
const addon = createRequire(import.meta.url)(${JSON.stringify(ADDON)});
const rss = () => Number(/VmRSS:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
let buffers = Array.from({ length: 40000 }, (_, i) => Buffer.from(String(i).padEnd(2048, 'x')));
const kept = buffers.filter((_, i) => i % 64 === 0);
buffers = null;
globalThis.gc();
globalThis.gc();
const before = rss();
const released = addon.trim();
console.log(JSON.stringify({ before, after: rss(), released, kept: kept.length }));
`;

describe('returnFreeMemory', () => {
  it('gives back the free memory a burst of small allocations left between used blocks', () => {
    const run = spawnSync(process.execPath, ['--expose-gc', '--input-type=module', '-e', SCRIPT], { encoding: 'utf8', timeout: 30_000 });
    expect(run.stderr).toBe('');
    const { before, after, released } = JSON.parse(run.stdout) as { before: number; after: number; released: boolean };
    expect(released).toBe(true);
    expect(before - after).toBeGreaterThan(20 * 1024);
  });

  it('can be called in this process', () => {
    expect(typeof returnFreeMemory()).toBe('boolean');
  });
});

describe('alignedSharedBuffer', () => {
  it('gives shared memory of the size asked for, which a worker can read', () => {
    const memory = alignedSharedBuffer(1 << 20, 4096);
    expect(memory.length).toBe(1 << 20);
    expect(memory.buffer).toBeInstanceOf(SharedArrayBuffer);
    expect(memory.buffer.byteLength).toBe((1 << 20) + 4096);
  });

  it('is aligned as direct I/O needs it: an O_DIRECT write from it goes through, one from a plain SharedArrayBuffer does not', () => {
    // Beside the sources, on the disk that holds the checkout (the system's temporary directory may
    // be a tmpfs, which takes any alignment or no O_DIRECT at all).
    const dir = mkdtempSync(fileURLToPath(new URL('../.direct-io-test-', import.meta.url)));
    const fd = openSync(join(dir, 'direct'), constants.O_WRONLY | constants.O_CREAT | constants.O_DIRECT, 0o600);
    try {
      for (let i = 0; i < 8; i++) {
        const memory = alignedSharedBuffer(1 << 20, 4096).fill(i);
        expect(writeSync(fd, memory, 0, memory.length, i << 20)).toBe(1 << 20);
      }
      // A plain SharedArrayBuffer's memory starts just past glibc's header: not on a block boundary.
      const plain = Buffer.from(new SharedArrayBuffer(1 << 20));
      expect(() => writeSync(fd, plain, 0, plain.length, 8 << 20)).toThrow(expect.objectContaining({ code: 'EINVAL' }));
      const written = readFileSync(join(dir, 'direct'));
      expect(written.length).toBe(8 << 20);
      expect(written[(3 << 20) + 5]).toBe(3);
    } finally {
      closeSync(fd);
      rmSync(dir, { recursive: true });
    }
  });

  it('refuses an alignment that is not a power of two', () => {
    expect(() => alignedSharedBuffer(4096, 3000)).toThrow('modulus must be a power of two');
  });
});
