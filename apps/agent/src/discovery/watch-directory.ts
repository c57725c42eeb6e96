import { watch } from 'chokidar';
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
  // chokidar watches the directory only: every entry is "ignored", so it neither stats nor watches
  // each file (ten thousand files would be ten thousand watches). The raw events of the directory's
  // watch name every entry that changed (chokidar's own events even miss some: a symlink replaced
  // by a regular file); temporary names (an upload being written) are left out.
  const watcher = watch(directory, { depth: 0, followSymlinks: false, ignoreInitial: true, persistent: true, atomic: false, ignored: (path: string) => path !== directory });
  watcher.on('all', (event, path) => {
    if (path === directory && event === 'unlinkDir') handlers.onTrouble('the watched directory was removed');
  });
  watcher.on('raw', (_event, name, details) => {
    if ((details as { watchedPath?: string }).watchedPath === directory && name && !name.includes('/') && !isTemporaryName(name)) handlers.onEntry(name);
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
