import { type FileHandle, open } from 'node:fs/promises';
import { vhdxVirtualSize } from './vhdx.js';

/** Glance's disk_format values the agent recognises; anything else is raw. */
export type DiskFormat = 'qcow2' | 'raw' | 'vmdk' | 'vhd' | 'vhdx' | 'iso';

export interface DiskFormatInfo {
  diskFormat: DiskFormat;
  /** The size of the disk the guest sees, in bytes (Glance's virtual_size). */
  virtualSize: number;
}

/** How much of the start of an image the header sniffing looks at: keep this much of an upload. */
export const HEADER_BYTES = 64 * 1024;
/** A VHD's footer, the last 512 bytes: fixed VHDs have no copy of it at the start. */
export const VHD_FOOTER_BYTES = 512;

const SECTOR_BYTES = 512;
const ISO_FIRST_DESCRIPTOR = 0x8000;
const ISO_DESCRIPTOR_BYTES = 2048;

/**
 * The format of an image from its first bytes (up to HEADER_BYTES) and, for a fixed VHD, its last
 * VHD_FOOTER_BYTES: for streams, where only those are at hand. The content decides, never a name.
 *
 * A VHDX's virtual size lives in its metadata region, beyond any header: here it is reported as
 * the file size. detectDiskFormat / detectDiskFormatOfFile read the real one.
 */
export function detectDiskFormatFromHeader(header: Buffer, fileSize: number, trailer?: Buffer): DiskFormatInfo {
  if (startsWith(header, 'QFI\xfb')) return { diskFormat: 'qcow2', virtualSize: readSize(header, 24, 'BE', 1, 'qcow2') };
  if (startsWith(header, 'vhdxfile')) return { diskFormat: 'vhdx', virtualSize: fileSize };
  if (startsWith(header, 'KDMV')) return { diskFormat: 'vmdk', virtualSize: readSize(header, 12, 'LE', SECTOR_BYTES, 'VMDK sparse extent') };
  if (startsWith(header, '# Disk DescriptorFile')) return { diskFormat: 'vmdk', virtualSize: vmdkDescriptorCapacity(header) };
  if (startsWith(header, 'conectix')) return { diskFormat: 'vhd', virtualSize: readSize(header, 48, 'BE', 1, 'VHD footer') };
  const footer = trailer && trailer.length >= VHD_FOOTER_BYTES ? trailer.subarray(trailer.length - VHD_FOOTER_BYTES) : undefined;
  if (footer && startsWith(footer, 'conectix')) return { diskFormat: 'vhd', virtualSize: readSize(footer, 48, 'BE', 1, 'VHD footer') };
  if (header.toString('latin1', ISO_FIRST_DESCRIPTOR + 1, ISO_FIRST_DESCRIPTOR + 6) === 'CD001') return { diskFormat: 'iso', virtualSize: isoVolumeSize(header) ?? fileSize };
  return { diskFormat: 'raw', virtualSize: fileSize };
}

/** The format of the image file at `path` (followed if a symlink: callers that must not, open it themselves). */
export async function detectDiskFormat(path: string): Promise<DiskFormatInfo> {
  const file = await open(path, 'r');
  try {
    return await detectDiskFormatOfFile(file, (await file.stat()).size);
  } finally {
    await file.close();
  }
}

/** The format of an open image file of `fileSize` bytes; reads its header, footer and, for VHDX, its metadata region. */
export async function detectDiskFormatOfFile(file: FileHandle, fileSize: number): Promise<DiskFormatInfo> {
  const readAt = (position: number, length: number) => readFully(file, position, length);
  const header = await readAt(0, Math.min(HEADER_BYTES, fileSize));
  const trailer = fileSize >= VHD_FOOTER_BYTES ? await readAt(fileSize - VHD_FOOTER_BYTES, VHD_FOOTER_BYTES) : undefined;
  const info = detectDiskFormatFromHeader(header, fileSize, trailer);
  if (info.diskFormat === 'vhdx') return { diskFormat: 'vhdx', virtualSize: await vhdxVirtualSize(readAt, fileSize) };
  return info;
}

async function readFully(file: FileHandle, position: number, length: number): Promise<Buffer> {
  const buffer = Buffer.alloc(length);
  let filled = 0;
  while (filled < length) {
    const { bytesRead } = await file.read(buffer, filled, length - filled, position + filled);
    if (bytesRead === 0) break;
    filled += bytesRead;
  }
  return buffer.subarray(0, filled);
}

function startsWith(buffer: Buffer, magic: string): boolean {
  return buffer.length >= magic.length && buffer.toString('latin1', 0, magic.length) === magic;
}

function readSize(buffer: Buffer, offset: number, endian: 'BE' | 'LE', unit: number, what: string): number {
  if (buffer.length < offset + 8) throw new Error(`${what} header is truncated`);
  const size = (endian === 'BE' ? buffer.readBigUInt64BE(offset) : buffer.readBigUInt64LE(offset)) * BigInt(unit);
  if (size > BigInt(Number.MAX_SAFE_INTEGER)) throw new Error(`${what} declares an impossible size (${size} bytes)`);
  return Number(size);
}

const VMDK_EXTENT = /^\s*(?:RW|RDONLY|NOACCESS)\s+(\d+)\s/;

/** The capacity of a VMDK text descriptor: the sum of its extents' sectors. */
function vmdkDescriptorCapacity(header: Buffer): number {
  const end = header.indexOf(0);
  const text = header.toString('latin1', 0, end === -1 ? header.length : end);
  let sectors = 0;
  let extents = 0;
  for (const line of text.split('\n')) {
    const extent = VMDK_EXTENT.exec(line);
    if (!extent) continue;
    sectors += Number(extent[1]);
    extents += 1;
  }
  if (extents === 0) throw new Error('VMDK descriptor lists no extents');
  if (!Number.isSafeInteger(sectors * SECTOR_BYTES)) throw new Error('VMDK descriptor declares an impossible size');
  return sectors * SECTOR_BYTES;
}

/** Volume space size × logical block size from the primary volume descriptor, as Glance reports an ISO's virtual size. */
function isoVolumeSize(header: Buffer): number | null {
  for (let offset = ISO_FIRST_DESCRIPTOR; offset + ISO_DESCRIPTOR_BYTES <= header.length; offset += ISO_DESCRIPTOR_BYTES) {
    if (header.toString('latin1', offset + 1, offset + 6) !== 'CD001') return null;
    const type = header[offset];
    if (type === 1) return header.readUInt32LE(offset + 80) * header.readUInt16LE(offset + 128) || null;
    if (type === 255) return null;
  }
  return null;
}
