import { readFile, statfs } from 'node:fs/promises';

/** One line of the kernel's mount table (/proc/self/mounts), as this process's mount namespace sees it. */
export interface MountEntry {
  source: string;
  mountPoint: string;
  type: string;
  readOnly: boolean;
}

/** The mounted file system's size and the space an unprivileged user may still write (df's Size and Avail). */
export interface FileSystemSpace {
  sizeBytes: number;
  freeBytes: number;
}

/**
 * The mount table, read from the kernel's own file without running anything: `df` and `mount`
 * (which systeminformation runs, some of it with execSync, stopping the event loop for tens of
 * milliseconds) stat every mount, and a dead NFS server makes that hang.
 */
export async function readMountTable(): Promise<MountEntry[]> {
  return parseMountTable(await readFile('/proc/self/mounts', 'utf8'));
}

/** Parses /proc/mounts text: space-separated fields, with spaces, tabs, newlines and backslashes in names escaped in octal. */
export function parseMountTable(text: string): MountEntry[] {
  return text
    .split('\n')
    .map((line) => line.split(' '))
    .filter((fields) => fields.length >= 4)
    .map(([source, mountPoint, type, options]) => ({
      source: unescapeOctal(source!),
      mountPoint: unescapeOctal(mountPoint!),
      type: type!,
      readOnly: options!.split(',').includes('ro'),
    }));
}

/**
 * The mount a real (symlink-free) path lives on: the one with the longest mount point that
 * contains it; of several at the same point, the last mounted, which hides the others.
 */
export function mountOf(path: string, mounts: readonly MountEntry[]): MountEntry | undefined {
  let found: MountEntry | undefined;
  for (const mount of mounts) {
    const inside = path === mount.mountPoint || path.startsWith(mount.mountPoint.endsWith('/') ? mount.mountPoint : `${mount.mountPoint}/`);
    if (inside && (!found || mount.mountPoint.length >= found.mountPoint.length)) found = mount;
  }
  return found;
}

/** statfs(2) of the file system holding `path`. */
export async function fileSystemSpace(path: string): Promise<FileSystemSpace> {
  const { bsize, blocks, bavail } = await statfs(path);
  return { sizeBytes: blocks * bsize, freeBytes: bavail * bsize };
}

function unescapeOctal(field: string): string {
  return field.replace(/\\([0-7]{3})/g, (_, octal: string) => String.fromCharCode(parseInt(octal, 8)));
}
