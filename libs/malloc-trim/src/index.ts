import { createRequire } from 'node:module';

const addon = createRequire(import.meta.url)('../build/Release/malloc_trim.node') as { trim(): boolean };

/**
 * Gives the free pages of the C heap back to the system (glibc's malloc_trim(0)); true when some
 * went. It walks every arena: milliseconds, for a moment when the process has just gone idle after
 * a burst of work, not for every request.
 */
export function returnFreeMemory(): boolean {
  return addon.trim();
}
