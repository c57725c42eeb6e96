import { watch } from 'chokidar';
import { basename, dirname } from 'node:path';
import { isTemporaryName } from './file-names.js';

export interface DirectoryWatchHandlers {
  /** Something may have happened to this entry directly in the directory: a hint to look, not a fact. */
  onEntry(name: string): void;
  /** The watch itself is in trouble, or the directory was removed: check the directory. */
  onTrouble(reason: string): void;
}

/**
 * Watches the entries directly in a directory (never below it, never through a symlink). Resolves
 * once the watch is in place; the function it resolves to stops watching.
 */
export type WatchDirectory = (directory: string, handlers: DirectoryWatchHandlers) => Promise<() => Promise<void>>;

export const watchWithChokidar: WatchDirectory = async (directory, handlers) => {
  // Temporary names (an upload being written) are ignored here, so chokidar does not re-list the directory for each of their events.
  const ignored = (path: string) => path !== directory && isTemporaryName(basename(path));
  const watcher = watch(directory, { depth: 0, followSymlinks: false, ignoreInitial: true, persistent: true, atomic: false, ignored });
  watcher.on('all', (event, path) => {
    if (path === directory) {
      if (event === 'unlinkDir') handlers.onTrouble('the watched directory was removed');
    } else if (dirname(path) === directory) {
      handlers.onEntry(basename(path));
    }
  });
  // chokidar's own events miss some changes (a symlink replaced by a regular file is not reported at
  // all); the raw events of the directory's watch name every entry that changed.
  watcher.on('raw', (_event, name, details) => {
    if ((details as { watchedPath?: string }).watchedPath === directory && name && !name.includes('/')) handlers.onEntry(name);
  });
  try {
    await new Promise<void>((resolve, reject) => {
      watcher.once('ready', resolve);
      watcher.once('error', reject);
    });
  } catch (error) {
    await watcher.close();
    throw error;
  }
  watcher.on('error', (error) => handlers.onTrouble(`watch error: ${(error as Error).message}`));
  return () => watcher.close();
};
