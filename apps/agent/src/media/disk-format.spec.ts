import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, open, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { detectDiskFormat, detectDiskFormatFromHeader, HEADER_BYTES, VHD_FOOTER_BYTES } from './disk-format.js';

/** qemu-img (Debian qemu-utils) and xorriso make the images; CI must have them, elsewhere their tests are skipped loudly. */
function toolsPresent(): boolean {
  const missing = ['qemu-img', 'xorriso'].filter((command) => spawnSync(command, ['--version'], { stdio: 'ignore' }).error);
  if (missing.length === 0) return true;
  const message = `${missing.join(' and ')} not installed (Debian packages qemu-utils, xorriso)`;
  if (process.env.CI === 'true') throw new Error(`${message}: CI must install them`);
  console.warn(`\n*** ${message}: the disk-format tests with real images did NOT run ***\n`);
  return false;
}

function qemuInfo(path: string, format?: string): { format: string; 'virtual-size': number } {
  const args = ['info', '--output=json', ...(format ? ['-f', format] : []), path];
  return JSON.parse(execFileSync('qemu-img', args, { encoding: 'utf8' })) as { format: string; 'virtual-size': number };
}

/** What an upload keeps for sniffing: the first HEADER_BYTES and the last VHD_FOOTER_BYTES. */
async function headerAndTrailer(path: string): Promise<{ header: Buffer; trailer: Buffer; size: number }> {
  const file = await open(path, 'r');
  try {
    const { size } = await file.stat();
    const header = Buffer.alloc(Math.min(HEADER_BYTES, size));
    const trailer = Buffer.alloc(Math.min(VHD_FOOTER_BYTES, size));
    await file.read(header, 0, header.length, 0);
    await file.read(trailer, 0, trailer.length, size - trailer.length);
    return { header, trailer, size };
  } finally {
    await file.close();
  }
}

describe('detectDiskFormat', () => {
  let directory: string;
  let tools = false;

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'disk-format-'));
    tools = toolsPresent();
  });

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  // [our format, qemu-img create arguments, the format qemu-img info is told to read (when probing would say raw)]
  const cases: Array<[string, string, string[], string?]> = [
    ['qcow2 v3', 'qcow2', ['-f', 'qcow2'], undefined],
    ['qcow2 v2', 'qcow2', ['-f', 'qcow2', '-o', 'compat=0.10'], undefined],
    ['monolithic sparse vmdk', 'vmdk', ['-f', 'vmdk'], undefined],
    ['stream-optimized vmdk', 'vmdk', ['-f', 'vmdk', '-o', 'subformat=streamOptimized'], undefined],
    ['vmdk descriptor (monolithicFlat)', 'vmdk', ['-f', 'vmdk', '-o', 'subformat=monolithicFlat'], undefined],
    ['vmdk descriptor (twoGbMaxExtentSparse)', 'vmdk', ['-f', 'vmdk', '-o', 'subformat=twoGbMaxExtentSparse'], undefined],
    ['dynamic vhd', 'vhd', ['-f', 'vpc'], undefined],
    ['fixed vhd', 'vhd', ['-f', 'vpc', '-o', 'subformat=fixed'], 'vpc'],
    ['vhdx', 'vhdx', ['-f', 'vhdx'], undefined],
    ['raw', 'raw', ['-f', 'raw'], undefined],
  ];

  it.each(cases)('reads a %s made by qemu-img with the virtual size qemu-img reports', async (name, diskFormat, createArgs, infoFormat) => {
    if (!tools) return;
    const size = name.includes('twoGb') ? '3G' : name.includes('fixed') ? '20M' : '1234567K';
    const path = join(directory, `${name.replace(/\W+/g, '-')}.image`);
    execFileSync('qemu-img', ['create', '-q', ...createArgs, path, size]);
    const detected = await detectDiskFormat(path);
    expect(detected).toEqual({ diskFormat, virtualSize: qemuInfo(path, infoFormat)['virtual-size'] });
    const { header, trailer, size: fileSize } = await headerAndTrailer(path);
    expect(detectDiskFormatFromHeader(header, fileSize, trailer)).toEqual({ diskFormat, virtualSize: diskFormat === 'vhdx' ? fileSize : detected.virtualSize });
  });

  it('reads an ISO made by xorriso: volume size from the primary volume descriptor, equal to what qemu-img reports', async () => {
    if (!tools) return;
    const content = join(directory, 'iso-content');
    await mkdir(content);
    await writeFile(join(content, 'README.TXT'), 'boot me\n'.repeat(5000));
    const path = join(directory, 'image.raw');
    execFileSync('xorriso', ['-as', 'mkisofs', '-quiet', '-V', 'TESTISO', '-o', path, content], { stdio: 'ignore' });
    expect(await detectDiskFormat(path)).toEqual({ diskFormat: 'iso', virtualSize: qemuInfo(path)['virtual-size'] });
  });

  it('goes by content, not by name: a raw file called .qcow2 is raw', async () => {
    const path = join(directory, 'not-really.qcow2');
    await writeFile(path, Buffer.alloc(100_000, 7));
    expect(await detectDiskFormat(path)).toEqual({ diskFormat: 'raw', virtualSize: 100_000 });
  });

  it('takes an empty file for an empty raw image', async () => {
    const path = join(directory, 'empty');
    await writeFile(path, '');
    expect(await detectDiskFormat(path)).toEqual({ diskFormat: 'raw', virtualSize: 0 });
  });

  it('refuses a truncated qcow2 header instead of calling it raw', async () => {
    const path = join(directory, 'truncated.qcow2');
    await writeFile(path, Buffer.from('QFI\xfb\x00\x00\x00\x03', 'latin1'));
    await expect(detectDiskFormat(path)).rejects.toThrow('qcow2 header is truncated');
  });

  it('reads a VHDX whose first region table is damaged from the second, and refuses one with both damaged', async () => {
    if (!tools) return;
    const path = join(directory, 'damaged.vhdx');
    execFileSync('qemu-img', ['create', '-q', '-f', 'vhdx', path, '5G']);
    const file = await open(path, 'r+');
    try {
      await file.write(Buffer.from('XX'), 0, 2, 192 * 1024 + 100);
      expect(await detectDiskFormat(path)).toEqual({ diskFormat: 'vhdx', virtualSize: 5 * 2 ** 30 });
      await file.write(Buffer.from('XX'), 0, 2, 256 * 1024 + 100);
    } finally {
      await file.close();
    }
    await expect(detectDiskFormat(path)).rejects.toThrow('VHDX region tables are both damaged');
  });

  it('finds a fixed VHD from its footer when given the trailing bytes of a stream', () => {
    const footer = Buffer.alloc(VHD_FOOTER_BYTES);
    footer.write('conectix', 0, 'latin1');
    footer.writeBigUInt64BE(10n * 2n ** 20n, 48);
    const header = Buffer.alloc(HEADER_BYTES);
    expect(detectDiskFormatFromHeader(header, 10 * 2 ** 20 + 512, footer)).toEqual({ diskFormat: 'vhd', virtualSize: 10 * 2 ** 20 });
    expect(detectDiskFormatFromHeader(header, 10 * 2 ** 20 + 512)).toEqual({ diskFormat: 'raw', virtualSize: 10 * 2 ** 20 + 512 });
  });

  it('reports the file size for a VHDX sniffed from its header only', async () => {
    if (!tools) return;
    const path = join(directory, 'sniffed.vhdx');
    execFileSync('qemu-img', ['create', '-q', '-f', 'vhdx', path, '3G']);
    const { header, size } = await headerAndTrailer(path);
    expect(detectDiskFormatFromHeader(header, size)).toEqual({ diskFormat: 'vhdx', virtualSize: (await stat(path)).size });
  });
});
