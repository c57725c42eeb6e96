import { constants } from 'node:fs';
import { type FileHandle, lstat, open } from 'node:fs/promises';
import { basename, dirname } from 'node:path';
import { detectDiskFormatFromHeader, detectDiskFormatOfFile, type DiskFormatInfo, HEADER_BYTES } from '../media/disk-format.js';
import type { ImageDigests } from '../media/hashing.js';
import { isRepositoryEntry } from '../roles/repository-entry.js';
import type { CachedImage } from './discovery-cache.js';
import { type FileIdentity, identityOf, sameIdentity } from './file-identity.js';

/** Hashes an open file from start to end (HashingPool.hashFileHandle). */
export type HashFile = (file: FileHandle, signal: AbortSignal) => Promise<ImageDigests>;

/** The file itself cannot be served (unreadable, or not a usable image); the message says why. */
export class FileRefusedError extends Error {}

/**
 * Never through a symlink; never waiting on a FIFO or becoming a terminal's controller, should one
 * have been swapped in since lstat (the identity check below then tells it apart).
 */
const OPEN_FLAGS = constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK | constants.O_NOCTTY;

/** Errors of an open that mean the name no longer refers to the regular file that settled. */
const SWAPPED = new Set(['ENOENT', 'ELOOP', 'ENXIO', 'EISDIR']);

/**
 * Format and hashes of the settled regular file at `path` whose lstat gave `expected`, or 'changed'
 * when the file turned out not to be that one any more (swapped, rewritten, removed) before or
 * while it was read: the caller then looks again. Throws FileRefusedError for a file that cannot
 * be served, and whatever else went wrong (hashing) as it is.
 */
export async function inspectFile(path: string, expected: FileIdentity, hash: HashFile, signal: AbortSignal): Promise<CachedImage | 'changed'> {
  let file: FileHandle;
  try {
    file = await open(path, OPEN_FLAGS);
  } catch (error) {
    const code = errorCode(error);
    if (code && SWAPPED.has(code)) return 'changed';
    throw code ? new FileRefusedError(`cannot be opened (${code})`, { cause: error }) : error;
  }
  try {
    const opened = await file.stat();
    if (!opened.isFile() || !sameIdentity(identityOf(opened), expected)) return 'changed';
    // Reached through a repository directory swapped for a symlink: not the repository's file.
    if (!(await isRepositoryEntry(file, dirname(path), basename(path)))) return 'changed';
    const { diskFormat, virtualSize } = await detectFormat(file, expected.size).catch((error: unknown) => {
      throw errorCode(error) ? error : new FileRefusedError(`unusable image: ${(error as Error).message}`, { cause: error });
    });
    const { md5, sha512, size } = await hash(file, signal);
    const after = identityOf(await file.stat());
    const named = await lstat(path).catch(() => null);
    if (!sameIdentity(after, expected) || !named?.isFile() || !sameIdentity(identityOf(named), expected)) return 'changed';
    if (size !== expected.size) throw new FileRefusedError(`read ${size} bytes from a file of ${expected.size} bytes`);
    return { ...expected, md5, sha512, diskFormat, virtualSize };
  } catch (error) {
    const code = errorCode(error);
    throw code && !signal.aborted ? new FileRefusedError(`cannot be read (${code})`, { cause: error }) : error;
  } finally {
    await file.close();
  }
}

/** The format of the open file; a file no larger than the header the detection reads is read once. */
async function detectFormat(file: FileHandle, size: number): Promise<DiskFormatInfo> {
  if (size > HEADER_BYTES) return detectDiskFormatOfFile(file, size);
  const content = Buffer.alloc(size);
  const { bytesRead } = await file.read(content, 0, size, 0);
  const info = detectDiskFormatFromHeader(content.subarray(0, bytesRead), size, content.subarray(0, bytesRead));
  // A VHDX's virtual size is in its metadata region, which the full detection reads.
  return info.diskFormat === 'vhdx' ? detectDiskFormatOfFile(file, size) : info;
}

/** The errno code of a file-system error (an AbortError's numeric `code` is not one). */
function errorCode(error: unknown): string | null {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  return typeof code === 'string' ? code : null;
}
