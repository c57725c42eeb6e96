import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { alignedSharedBuffer } from '@imagelib/native-memory';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { UploadFile } from './upload-file.js';

const MiB = 1024 * 1024;

describe('UploadFile', () => {
  // Beside the sources, on the disk that holds the checkout, as a repository would be (the system's
  // temporary directory may be a tmpfs, which checks no alignment).
  let dir: string;
  let path: string;
  beforeEach(() => {
    dir = mkdtempSync(fileURLToPath(new URL('../../.upload-file-test-', import.meta.url)));
    path = join(dir, '.upload');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  /** The data in aligned shared memory, as the hashing pool's slots hold it. */
  const aligned = (data: Buffer) => {
    const memory = alignedSharedBuffer(data.length);
    data.copy(memory);
    return memory;
  };

  /** Creates the upload file, lets `writes` write it, then syncs and closes it (closes it whatever happens). */
  const writeUpload = async (writes: (file: UploadFile) => Promise<void>) => {
    const file = await UploadFile.create(path, 0o640);
    try {
      await writes(file);
      await file.sync();
    } finally {
      await file.close();
    }
  };

  it('writes whole blocks directly, overlapping writes included, and the last partial block through the page cache', async () => {
    const data = randomBytes(3 * MiB + 1000);
    await writeUpload(async (file) => {
      await Promise.all([0, 1, 2].map((i) => file.write(aligned(data.subarray(i * MiB, (i + 1) * MiB)), i * MiB)));
      await file.write(aligned(data.subarray(3 * MiB)), 3 * MiB);
      expect(file.writesDirectly).toBe(true);
    });
    expect(readFileSync(path).equals(data)).toBe(true);
  });

  it('goes on through the page cache once the file system refuses a direct write (memory not aligned)', async () => {
    const data = randomBytes(2 * MiB);
    await writeUpload(async (file) => {
      const unaligned = Buffer.from(new SharedArrayBuffer(MiB + 1)).subarray(1);
      data.subarray(0, MiB).copy(unaligned);
      await file.write(unaligned, 0);
      expect(file.writesDirectly).toBe(false);
      await file.write(aligned(data.subarray(MiB)), MiB);
    });
    expect(readFileSync(path).equals(data)).toBe(true);
  });

  it('writes a block at an unaligned position through the page cache', async () => {
    const data = randomBytes(MiB + 10);
    await writeUpload(async (file) => {
      await file.write(aligned(data.subarray(0, 10)), 0);
      await file.write(aligned(data.subarray(10)), 10);
      expect(file.writesDirectly).toBe(true);
    });
    expect(readFileSync(path).equals(data)).toBe(true);
  });

  it('writes into the file it created even when another file took its name since', async () => {
    const data = randomBytes(MiB);
    await writeUpload(async (file) => {
      renameSync(path, `${path}.moved`);
      writeFileSync(path, 'someone else');
      await file.write(aligned(data), 0);
      expect(file.writesDirectly).toBe(true);
    });
    expect(readFileSync(`${path}.moved`).equals(data)).toBe(true);
    expect(readFileSync(path, 'utf8')).toBe('someone else');
  });

  it('never takes over an existing file', async () => {
    writeFileSync(path, 'someone else');
    await expect(UploadFile.create(path, 0o640)).rejects.toMatchObject({ code: 'EEXIST' });
    expect(readFileSync(path, 'utf8')).toBe('someone else');
  });
});
