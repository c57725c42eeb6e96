import type { Stats } from 'node:fs';
import { readlink } from 'node:fs/promises';

/** What says a file is still the one that was hashed: the same inode, with the same size and mtime. */
export interface FileIdentity {
  dev: number;
  ino: number;
  size: number;
  mtimeMs: number;
}

export function identityOf(stats: Stats): FileIdentity {
  return { dev: stats.dev, ino: stats.ino, size: stats.size, mtimeMs: stats.mtimeMs };
}

export function sameIdentity(a: FileIdentity, b: FileIdentity): boolean {
  return a.dev === b.dev && a.ino === b.ino && a.size === b.size && a.mtimeMs === b.mtimeMs;
}

/** Why an entry that is not a regular file is refused (from lstat: never follows, opens or reads it). */
export async function nonRegularRefusal(path: string, stats: Stats): Promise<string> {
  if (stats.isSymbolicLink()) {
    const target = await readlink(path).catch(() => null);
    return target === null ? 'symlink refused' : `symlink to ${target} refused`;
  }
  if (stats.isDirectory()) return 'directory refused: the repository is flat, subdirectories are not scanned';
  if (stats.isFIFO()) return 'FIFO refused';
  if (stats.isSocket()) return 'socket refused';
  if (stats.isBlockDevice()) return 'block device refused';
  if (stats.isCharacterDevice()) return 'character device refused';
  return 'not a regular file: refused';
}
