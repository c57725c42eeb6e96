import { describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { returnFreeMemory } from './index.js';

const ADDON = fileURLToPath(new URL('../build/Release/malloc_trim.node', import.meta.url));

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
