import { afterEach, describe, expect, it } from '@jest/globals';
import { linkSync, mkdirSync, mkdtempSync, renameSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isRepositoryDirectory, isRepositoryEntry } from './repository-entry.js';

describe('repository entries', () => {
  const base = mkdtempSync(join(tmpdir(), 'repository-entry-'));
  const repository = join(base, 'images');
  const elsewhere = join(base, 'elsewhere');
  let file: FileHandle | null = null;
  mkdirSync(repository);
  mkdirSync(elsewhere);
  writeFileSync(join(repository, 'disk.raw'), 'inside');
  writeFileSync(join(elsewhere, 'disk.raw'), 'outside');

  afterEach(async () => {
    await file?.close();
    file = null;
  });

  it('knows a file opened by its name in the repository, also through a symlinked parent and as a hard link', async () => {
    file = await open(join(repository, 'disk.raw'));
    expect(await isRepositoryEntry(file, repository, 'disk.raw')).toBe(true);
    expect(await isRepositoryEntry(file, repository, 'other.raw')).toBe(false);
    await file.close();
    symlinkSync(base, join(tmpdir(), `repository-entry-parent-${process.pid}`));
    const viaParent = join(tmpdir(), `repository-entry-parent-${process.pid}`, 'images');
    file = await open(join(viaParent, 'disk.raw'));
    expect(await isRepositoryEntry(file, viaParent, 'disk.raw')).toBe(true);
    rmSync(join(tmpdir(), `repository-entry-parent-${process.pid}`));
    await file.close();
    linkSync(join(elsewhere, 'disk.raw'), join(repository, 'linked.raw'));
    file = await open(join(repository, 'linked.raw'));
    expect(await isRepositoryEntry(file, repository, 'linked.raw')).toBe(true);
  });

  it('refuses a file reached through a repository directory swapped for a symlink, even once it is swapped back', async () => {
    renameSync(repository, `${repository}.real`);
    symlinkSync(elsewhere, repository);
    try {
      expect(await isRepositoryDirectory(repository)).toBe(false);
      file = await open(join(repository, 'disk.raw'));
      expect(await isRepositoryEntry(file, repository, 'disk.raw')).toBe(false);
    } finally {
      rmSync(repository);
      renameSync(`${repository}.real`, repository);
    }
    expect(await isRepositoryDirectory(repository)).toBe(true);
    expect(await isRepositoryEntry(file, repository, 'disk.raw')).toBe(false);
  });
});
