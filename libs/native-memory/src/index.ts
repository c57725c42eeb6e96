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
 * Shared memory (readable by worker threads) whose first byte lies at an address that is a
 * multiple of `alignment` (a power of two): what direct I/O (O_DIRECT) needs, which a plain
 * SharedArrayBuffer does not give. The view's buffer is `alignment` bytes longer than `size`.
 */
export function alignedSharedBuffer(size: number, alignment: number): Buffer {
  const memory = Buffer.from(new SharedArrayBuffer(size + alignment));
  const skew = addon.addressModulo(memory, alignment);
  return memory.subarray(skew === 0 ? 0 : alignment - skew).subarray(0, size);
}
