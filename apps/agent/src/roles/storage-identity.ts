import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const STORAGE_MARKER = '.imagelib-storage-id';

/**
 * The identity of the storage behind a repository: a UUID kept in a marker file inside it. Hosts
 * that mount one shared storage read the same marker; the first host to look creates it.
 */
export async function storageIdentity(repositoryPath: string): Promise<string> {
  const path = join(repositoryPath, STORAGE_MARKER);
  try {
    await writeFile(path, `${randomUUID()}\n`, { flag: 'wx', mode: 0o644 });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  const id = (await readFile(path, 'utf8')).trim();
  if (!/^[0-9a-f-]{36}$/.test(id)) throw new Error(`${path} does not hold a storage id; remove it to make a new one`);
  return id;
}
