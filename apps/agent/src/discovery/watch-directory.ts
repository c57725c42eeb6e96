import { watch } from 'node:fs';
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

/**
 * One watch on the directory itself (inotify on Linux): every event names the entry it is about,
 * which is all discovery needs, since it decides from lstat. No listing and no stat of the entries
 * (a watcher library reads and stats the whole directory when it starts and again on every
 * event: ten thousand stats each time). The kernel drops events when its queue overflows, so the
 * caller lists the directory now and then as well. Temporary names (an upload being written) are
 * left out.
 */
export const watchDirectoryEntries: WatchDirectory = async (directory, handlers) => {
  const watcher = watch(directory, { persistent: true, recursive: false, encoding: 'utf8' });
  watcher.on('change', (_event, name) => {
    if (typeof name === 'string' && name !== '' && !name.includes('/') && !isTemporaryName(name)) handlers.onEntry(name);
  });
  watcher.on('error', (error) => handlers.onTrouble(`watch error: ${error.message}`));
  return async () => watcher.close();
};
