import { stat } from 'node:fs/promises';
import { dirname } from 'node:path';

export interface RepositoryCheck {
  /** Why the repository must not be used now, or '' when it may. */
  problem: string;
  /** The directory is missing but may be created: its nearest existing parent is on the share. */
  creatable: boolean;
}

/**
 * Whether a repository may be used now. One that requires a mounted share is unusable while it (or,
 * when it does not exist, its nearest existing parent) sits on the root filesystem: the classic
 * failure where writes land in the bare directory under the missing mount.
 */
export async function checkRepository(path: string, requireMount: boolean): Promise<RepositoryCheck> {
  const rootDevice = (await stat('/')).dev;
  let repository;
  try {
    repository = await stat(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    if (code !== 'ENOENT') return { problem: `the repository ${path} cannot be reached (${code})`, creatable: false };
    if (!requireMount) return { problem: '', creatable: true };
    const parentDevice = await nearestExistingDevice(dirname(path));
    return parentDevice === rootDevice
      ? { problem: `the share for ${path} is not mounted (the path does not exist)`, creatable: false }
      : { problem: '', creatable: true };
  }
  if (!repository.isDirectory()) return { problem: `the repository ${path} is not a directory`, creatable: false };
  if (requireMount && repository.dev === rootDevice) return { problem: `the share for ${path} is not mounted (the path is on the root filesystem)`, creatable: false };
  return { problem: '', creatable: false };
}

async function nearestExistingDevice(path: string): Promise<number> {
  for (let current = path; ; current = dirname(current)) {
    try {
      return (await stat(current)).dev;
    } catch {
      if (current === dirname(current)) throw new Error(`no existing parent of ${path}`);
    }
  }
}
