import type { FileHandle } from 'node:fs/promises';
import { lstat, readlink, realpath } from 'node:fs/promises';
import { join } from 'node:path';

/**
 * Whether an open file is the repository's own entry `fileName`. O_NOFOLLOW guards only the last
 * name of a path: were the repository directory swapped for a symlink, `<repository>/<name>` would
 * open a file elsewhere. So the kernel's name for the open file (Linux: /proc/self/fd) must be the
 * repository's real path joined with the name, and the repository path must still be a directory.
 */
export async function isRepositoryEntry(file: FileHandle, repositoryPath: string, fileName: string): Promise<boolean> {
  try {
    const [opened, real, directory] = await Promise.all([readlink(`/proc/self/fd/${file.fd}`), realpath(repositoryPath), lstat(repositoryPath)]);
    return directory.isDirectory() && opened === join(real, fileName);
  } catch {
    return false;
  }
}

/** Whether the repository path is the directory itself now (not a symlink to one elsewhere), checked right before a name in it is removed. */
export async function isRepositoryDirectory(repositoryPath: string): Promise<boolean> {
  const directory = await lstat(repositoryPath).catch(() => null);
  return directory?.isDirectory() ?? false;
}
