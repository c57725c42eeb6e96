import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { lstat, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { identityOf } from './file-identity.js';
import { FileRefusedError, type HashFile, inspectFile } from './inspect-file.js';

/** Hashes in-process: these tests are about what gets opened, not about hashing. */
const hash: HashFile = async (file) => {
  const content = await file.readFile();
  return { md5: createHash('md5').update(content).digest('hex'), sha512: createHash('sha512').update(content).digest('hex'), size: content.length };
};

describe('inspectFile', () => {
  let directory: string;
  const signal = new AbortController().signal;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'inspect-'));
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('returns the identity, format and hashes of the file that settled', async () => {
    const path = join(directory, 'plain');
    await writeFile(path, 'plain bytes');
    const identity = identityOf(await lstat(path));
    expect(await inspectFile(path, identity, hash, signal)).toEqual({
      ...identity,
      diskFormat: 'raw',
      virtualSize: 11,
      md5: createHash('md5').update('plain bytes').digest('hex'),
      sha512: createHash('sha512').update('plain bytes').digest('hex'),
    });
  });

  it('says changed, without following it, when a symlink was swapped in after lstat', async () => {
    const target = join(directory, 'target');
    await writeFile(target, 'target');
    const identity = identityOf(await lstat(target));
    const path = join(directory, 'swapped-to-symlink');
    await symlink(target, path);
    expect(await inspectFile(path, identity, hash, signal)).toBe('changed');
  });

  it('says changed, without blocking, when a FIFO was swapped in after lstat', async () => {
    const regular = join(directory, 'regular');
    await writeFile(regular, 'regular');
    const path = join(directory, 'fifo');
    execFileSync('mkfifo', [path]);
    expect(await inspectFile(path, identityOf(await lstat(regular)), hash, signal)).toBe('changed');
  });

  it('says changed when the file is another inode, or grew, since it settled', async () => {
    const path = join(directory, 'grown');
    await writeFile(path, 'short');
    const identity = identityOf(await lstat(path));
    await writeFile(path, 'longer now');
    expect(await inspectFile(path, identity, hash, signal)).toBe('changed');
  });

  it('refuses a file whose header claims a format it does not hold', async () => {
    const path = join(directory, 'broken.qcow2');
    await writeFile(path, Buffer.from('QFI\xfb\x00\x00', 'latin1'));
    const inspecting = inspectFile(path, identityOf(await lstat(path)), hash, signal);
    await expect(inspecting).rejects.toThrow(FileRefusedError);
    await expect(inspecting).rejects.toThrow('unusable image: qcow2 header is truncated');
  });
});
