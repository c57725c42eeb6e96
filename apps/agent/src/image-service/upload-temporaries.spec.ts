import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isTemporaryName } from '../discovery/file-names.js';
import { removeLeftoverUploads, uploadTemporaryName } from './upload-temporaries.js';

const HOST = '5aa948d6-190c-435c-9b1d-7ecf13e7c85a';
const OTHER_HOST = '69f9188c-ca7a-49ef-b3a5-a799bbccad47';
const IMAGE = 'b8c8bcbd-d441-4bdc-ae5a-769f6a759a96';

describe('upload temporaries', () => {
  let repository: string;

  beforeEach(() => {
    repository = mkdtempSync(join(tmpdir(), 'imagelib-temporaries-'));
  });

  afterEach(() => rmSync(repository, { recursive: true, force: true }));

  it('names a dot-file that discovery ignores, unique per upload', () => {
    const name = uploadTemporaryName(HOST, IMAGE);
    expect(name).toMatch(new RegExp(`^\\.upload-${HOST}-${IMAGE}-[0-9a-f]{8}\\.part$`));
    expect(isTemporaryName(name)).toBe(true);
    expect(uploadTemporaryName(HOST, IMAGE)).not.toBe(name);
  });

  it("removes this host's leftovers only: not another host's upload on shared storage, not images or other files", async () => {
    const mine = [uploadTemporaryName(HOST, IMAGE), uploadTemporaryName(HOST, IMAGE)];
    const kept = [uploadTemporaryName(OTHER_HOST, IMAGE), IMAGE, `.replica-${IMAGE}.part`, `.upload-${HOST}-notes.txt`];
    for (const name of [...mine, ...kept]) writeFileSync(join(repository, name), 'x');
    expect((await removeLeftoverUploads(repository, HOST)).sort()).toEqual([...mine].sort());
    expect(readdirSync(repository).sort()).toEqual([...kept].sort());
  });
});
