import { describe, expect, it } from '@jest/globals';
import { isTemporaryName, nameRefusal } from './file-names.js';

describe('isTemporaryName', () => {
  it.each(['.upload-0f3c.part', '.hidden', 'image.part', 'IMAGE.PART', 'image.tmp', 'image.TMP', 'image~', '.'])('treats %j as temporary', (name) => {
    expect(isTemporaryName(name)).toBe(true);
  });

  it.each(['debian-12.qcow2', 'part', 'tmp', 'image.partial', 'image.tmp.qcow2', 'a~b', 'ubuntu.iso'])('treats %j as a final name', (name) => {
    expect(isTemporaryName(name)).toBe(false);
  });
});

describe('nameRefusal', () => {
  it('accepts printable names, non-ASCII ones included', () => {
    expect(nameRefusal('Debian 12 (bookworm) – générique.qcow2')).toBeNull();
  });

  it.each([
    ['line\nbreak', 'file name contains control characters'],
    ['escape\u001b[31m', 'file name contains control characters'],
    ['delete\u007f', 'file name contains control characters'],
    ['c1\u0085control', 'file name contains control characters'],
    ['latin1-\uFFFD.img', 'file name is not valid UTF-8'],
  ])('refuses %j', (name, reason) => {
    expect(nameRefusal(name)).toBe(reason);
  });
});
