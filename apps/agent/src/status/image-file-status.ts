import type { ImageRecord } from '@imagelib/glance';
import { constants } from 'node:fs';
import { access, lstat, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { CorruptFiles } from './corrupt-files.js';

/** The sticky bit (S_ISVTX), which node:fs does not export. */
const STICKY = 0o1000;

export type ImageFileState = 'ok' | 'missing' | 'no-access' | 'cannot-delete' | 'corrupt';

export interface ImageFileStatus {
  state: ImageFileState;
  reason: string;
}

/** A repository file name: no separators, no "." or "..", no control characters. */
export function isSafeFileName(name: string): boolean {
  // eslint-disable-next-line no-control-regex
  return name.length > 0 && name.length <= 255 && name !== '.' && name !== '..' && !/[/\0-\x1f\x7f]/.test(name);
}

/**
 * The status of an image's data on this host, checked as the user this process runs as (the one
 * the image service serves as): the file must be a regular file (never a symlink) at the image's
 * path, readable, of the catalog's size; `cannot-delete` when that user could not remove it.
 */
export async function imageFileStatus(
  repositoryPath: string,
  image: ImageRecord,
  corrupt?: CorruptFiles,
  repositoryAccess: Promise<RepositoryAccess> = checkRepositoryAccess(repositoryPath),
): Promise<ImageFileStatus> {
  if (!image.fileName) return { state: 'missing', reason: 'the image has no data yet' };
  if (!isSafeFileName(image.fileName)) return { state: 'no-access', reason: `unsafe file name ${JSON.stringify(image.fileName)} refused` };
  const path = join(repositoryPath, image.fileName);
  let info;
  try {
    info = await lstat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    return code === 'ENOENT' ? { state: 'missing', reason: `ENOENT: no file ${path}` } : { state: 'no-access', reason: `${code} on ${path}` };
  }
  if (info.isSymbolicLink()) return { state: 'no-access', reason: `${path} is a symlink; symlinks are never served` };
  if (!info.isFile()) return { state: 'no-access', reason: `${path} is not a regular file` };
  if (image.size !== null && info.size !== image.size) return { state: 'missing', reason: `${path} has ${info.size} bytes, the image ${image.size}` };
  const damage = corrupt?.reason(image.fileName, info);
  if (damage) return { state: 'corrupt', reason: damage };
  try {
    await access(path, constants.R_OK);
  } catch (error) {
    return { state: 'no-access', reason: `${(error as NodeJS.ErrnoException).code ?? 'error'} on ${path}` };
  }
  const removal = await repositoryAccess;
  if (removal.cannotRemove) return { state: 'cannot-delete', reason: removal.cannotRemove };
  if (removal.onlyOwnFiles && info.uid !== process.getuid?.()) return { state: 'cannot-delete', reason: `${repositoryPath} is sticky and neither it nor the file belongs to this user` };
  return { state: 'ok', reason: '' };
}

/** Whether this user may remove files from the repository directory: checked once for many files. */
export interface RepositoryAccess {
  /** Why no file can be removed from it ('' when files can be). */
  cannotRemove: string;
  /** Sticky, and not this user's: only this user's own files can be removed. */
  onlyOwnFiles: boolean;
}

/** Removing an entry needs write and search on the directory, and with the sticky bit, ownership. */
export async function checkRepositoryAccess(directory: string): Promise<RepositoryAccess> {
  try {
    await access(directory, constants.W_OK | constants.X_OK);
  } catch (error) {
    return { cannotRemove: `${(error as NodeJS.ErrnoException).code ?? 'error'} on ${directory}: cannot remove files from it`, onlyOwnFiles: false };
  }
  const uid = process.getuid?.() ?? 0;
  if (uid === 0) return { cannotRemove: '', onlyOwnFiles: false };
  const info = await stat(directory);
  return { cannotRemove: '', onlyOwnFiles: (info.mode & STICKY) !== 0 && info.uid !== uid };
}
