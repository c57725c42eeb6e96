import { describe, expect, it } from '@jest/globals';
import { statfsSync } from 'node:fs';
import { fileSystemSpace, mountOf, parseMountTable, readMountTable } from './mount-table.js';

const TABLE = [
  '/dev/vda / ext4 rw,relatime 0 0',
  'proc /proc proc rw,nosuid,nodev,noexec,relatime 0 0',
  'nfs.example:/export/images /var/lib/images nfs4 ro,relatime,vers=4.2 0 0',
  'tmpfs /var/lib/images tmpfs rw,size=1024k 0 0',
  '/dev/vdb /srv/my\\040images ext4 rw 0 0',
  '',
].join('\n');

describe('the mount table', () => {
  const mounts = parseMountTable(TABLE);

  it('reads source, mount point, type and read-only from /proc/mounts lines, with octal escapes undone', () => {
    expect(mounts).toHaveLength(5);
    expect(mounts[2]).toEqual({ source: 'nfs.example:/export/images', mountPoint: '/var/lib/images', type: 'nfs4', readOnly: true });
    expect(mounts[4]!.mountPoint).toBe('/srv/my images');
  });

  it('finds the mount a path lives on: the longest mount point, the last of those stacked on one point', () => {
    expect(mountOf('/var/lib/images/abc', mounts)?.type).toBe('tmpfs');
    expect(mountOf('/var/lib/images', mounts)?.type).toBe('tmpfs');
    expect(mountOf('/var/lib/images-old', mounts)?.mountPoint).toBe('/');
    expect(mountOf('/srv/my images/x', mounts)?.source).toBe('/dev/vdb');
    expect(mountOf('/proc/self', mounts)?.type).toBe('proc');
  });

  it("reads this process's own table and the space of the root file system as statfs(2) gives it", async () => {
    const own = await readMountTable();
    expect(mountOf('/', own)?.mountPoint).toBe('/');
    const space = await fileSystemSpace('/');
    const { bsize, blocks } = statfsSync('/');
    expect(space.sizeBytes).toBe(blocks * bsize);
    expect(space.freeBytes).toBeGreaterThan(0);
    expect(space.freeBytes).toBeLessThanOrEqual(space.sizeBytes);
  });
});
