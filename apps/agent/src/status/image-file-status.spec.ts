import { describe, expect, it } from '@jest/globals';
import type { ImageRecord } from '@imagelib/glance';
import { mkdirSync, mkdtempSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { imageFileStatus, isSafeFileName } from './image-file-status.js';

const record = (fileName: string | null, size: number | null = 3): ImageRecord => ({
  id: 'i', name: 'i', status: 'active', visibility: 'public', protected: false, osHidden: false, diskFormat: 'raw', containerFormat: 'bare',
  size, virtualSize: size, checksum: null, osHashAlgo: null, osHashValue: null, minRam: 0, minDisk: 0, owner: null, tags: [], properties: {},
  createdAt: '', updatedAt: '', fileName,
});

describe('imageFileStatus (permission cases run in the e2e suite as an unprivileged user)', () => {
  const repo = mkdtempSync(join(tmpdir(), 'imagelib-status-'));
  writeFileSync(join(repo, 'good'), 'abc');
  writeFileSync(join(repo, 'short'), 'a');
  symlinkSync('/etc/passwd', join(repo, 'link'));
  mkdirSync(join(repo, 'dir'));

  it.each([
    ['good', 3, 'ok', ''],
    ['absent', 3, 'missing', `ENOENT: no file ${join(repo, 'absent')}`],
    ['short', 3, 'missing', `${join(repo, 'short')} has 1 bytes, the image 3`],
    ['link', 3, 'no-access', `${join(repo, 'link')} is a symlink; symlinks are never served`],
    ['dir', 3, 'no-access', `${join(repo, 'dir')} is not a regular file`],
    ['../etc/passwd', 3, 'no-access', 'unsafe file name "../etc/passwd" refused'],
  ])('%s → %s', async (fileName, size, state, reason) => {
    expect(await imageFileStatus(repo, record(fileName, size))).toEqual({ state, reason });
  });

  it('says an image without data is missing here', async () => {
    expect(await imageFileStatus(repo, record(null))).toEqual({ state: 'missing', reason: 'the image has no data yet' });
  });

  it('accepts only plain names', () => {
    expect(['a.qcow2', 'ubuntu 22.04.img'].every(isSafeFileName)).toBe(true);
    expect(['', '.', '..', 'a/b', 'a\nb', 'x'.repeat(256)].some(isSafeFileName)).toBe(false);
  });
});
