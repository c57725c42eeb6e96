// Test data for the benchmarks: files of random bytes, written once.
import { createHash, randomFill } from 'node:crypto';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';

const randomFillAsync = promisify(randomFill);
const CHUNK = 8 * 1024 * 1024;

/** Writes `size` random bytes to `path` (8 MiB at a time, readable by all) and fsyncs it; resolves with its SHA-512 in hex. */
export async function writeRandomFile(path, size) {
  const hash = createHash('sha512');
  const file = await open(path, 'w', 0o644);
  try {
    const buffer = Buffer.allocUnsafe(CHUNK);
    for (let written = 0; written < size; ) {
      const length = Math.min(buffer.length, size - written);
      await randomFillAsync(buffer, 0, length);
      hash.update(buffer.subarray(0, length));
      await file.write(buffer, 0, length, written);
      written += length;
    }
    await file.sync();
  } finally {
    await file.close();
  }
  return hash.digest('hex');
}
