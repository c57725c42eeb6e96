import { randomBytes } from 'node:crypto';
import { readdir, unlink } from 'node:fs/promises';
import { join } from 'node:path';

const PREFIX = '.upload-';
const SUFFIX = '.part';

/**
 * The temporary file of an upload: `.upload-<host>-<image>-<random>.part`, a dot-file that discovery
 * ignores. The host's id in the name lets an agent remove what a crash of its own left behind
 * without touching an upload another host is writing to the same shared storage.
 */
export function uploadTemporaryName(hostId: string, imageId: string): string {
  return `${PREFIX}${hostId}-${imageId}-${randomBytes(4).toString('hex')}${SUFFIX}`;
}

/**
 * Removes this host's upload temporaries from the repository: run before the image service takes
 * uploads, so none of them is in use; they are what a killed agent left. Returns the names removed.
 */
export async function removeLeftoverUploads(repositoryPath: string, hostId: string): Promise<string[]> {
  const mine = `${PREFIX}${hostId}-`;
  const leftovers = (await readdir(repositoryPath)).filter((name) => name.startsWith(mine) && name.endsWith(SUFFIX));
  for (const name of leftovers) await unlink(join(repositoryPath, name)).catch((error: NodeJS.ErrnoException) => {
    if (error.code !== 'ENOENT') throw error;
  });
  return leftovers;
}
