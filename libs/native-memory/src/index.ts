import { createRequire } from 'node:module';

const addon = createRequire(import.meta.url)('../build/Release/native_memory.node') as {
  trim(): boolean;
  addressModulo(view: ArrayBufferView, modulus: number): number;
};

/**
 * Gives the free pages of the C heap back to the system (glibc's malloc_trim(0)); true when some
 * went. It walks every arena: milliseconds, for a moment when the process has just gone idle after
 * a burst of work, not for every request.
 */
export function returnFreeMemory(): boolean {
  return addon.trim();
}

/**
 * The alignment direct I/O (O_DIRECT) asks of memory, file offsets and lengths: a page, which
 * covers every logical block size of the disks it runs on (512 or 4096 bytes).
 */
export const DIRECT_IO_ALIGNMENT = 4096;

/**
 * Shared memory (readable by worker threads) whose first byte lies at an address that is a
 * multiple of `alignment` (a power of two): what direct I/O (O_DIRECT) needs, which a plain
 * SharedArrayBuffer does not give. The view's buffer is `alignment` bytes longer than `size`.
 */
export function alignedSharedBuffer(size: number, alignment = DIRECT_IO_ALIGNMENT): Buffer {
  const memory = Buffer.from(new SharedArrayBuffer(size + alignment));
  const start = (alignment - addon.addressModulo(memory, alignment)) % alignment;
  return memory.subarray(start, start + size);
}
