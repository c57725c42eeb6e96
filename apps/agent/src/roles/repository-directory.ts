import { constants } from 'node:fs';
import { access, mkdir, stat } from 'node:fs/promises';

/** Creates the repository directory if needed and checks the service user can write into it. */
export async function prepareRepository(path: string): Promise<void> {
  try {
    await mkdir(path, { recursive: true, mode: 0o750 });
  } catch (error) {
    throw new Error(`cannot create the repository path ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
  const info = await stat(path);
  if (!info.isDirectory()) throw new Error(`the repository path ${path} is not a directory`);
  try {
    await access(path, constants.R_OK | constants.W_OK | constants.X_OK);
  } catch (error) {
    throw new Error(`the repository path ${path} is not writable: ${(error as NodeJS.ErrnoException).code ?? String(error)}`, { cause: error });
  }
}
