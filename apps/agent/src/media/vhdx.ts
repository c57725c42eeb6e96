/** Reads up to `length` bytes at `position`; fewer only at the end of the file. */
export type ReadAt = (position: number, length: number) => Promise<Buffer>;

const REGION_TABLE_OFFSETS = [192 * 1024, 256 * 1024];
const TABLE_BYTES = 64 * 1024;
const MAX_TABLE_ENTRIES = 2047;
/** The metadata region and its virtual-disk-size item, as GUIDs are laid out on disk (MS-VHDX 2.2.3.1, 2.6.2.2). */
const METADATA_REGION_GUID = Buffer.from('06a27c8b90479a4bb8fe575f050f886e', 'hex');
const VIRTUAL_DISK_SIZE_GUID = Buffer.from('2442a52f1bcd7648b2115dbed83bf4b8', 'hex');
/** VHDX's limit (MS-VHDX 2.6.2.2): 64 TiB. */
const MAX_VIRTUAL_SIZE = 64 * 2 ** 40;

/**
 * The virtual size of a VHDX image, from its metadata region: the region table (either copy whose
 * CRC-32C holds) locates the metadata table, whose Virtual Disk Size item holds the size. Anything
 * out of bounds or inconsistent is an error rather than a guess. A dirty log is not replayed: the
 * size is the one the metadata region holds now.
 */
export async function vhdxVirtualSize(readAt: ReadAt, fileSize: number): Promise<number> {
  const region = await metadataRegion(readAt, fileSize);
  const table = await readAt(region.offset, TABLE_BYTES);
  if (table.length < TABLE_BYTES || table.toString('latin1', 0, 8) !== 'metadata') throw new Error('VHDX metadata table is missing or damaged');
  const entries = table.readUInt16LE(10);
  if (entries > MAX_TABLE_ENTRIES) throw new Error(`VHDX metadata table claims ${entries} entries`);
  for (let index = 0; index < entries; index++) {
    const entry = 32 + index * 32;
    if (!table.subarray(entry, entry + 16).equals(VIRTUAL_DISK_SIZE_GUID)) continue;
    const itemOffset = table.readUInt32LE(entry + 16);
    const itemLength = table.readUInt32LE(entry + 20);
    if (itemLength !== 8 || itemOffset < TABLE_BYTES || itemOffset + 8 > region.length) throw new Error('VHDX virtual disk size item is out of bounds');
    const item = await readAt(region.offset + itemOffset, 8);
    if (item.length < 8) throw new Error('VHDX virtual disk size item is truncated');
    const size = item.readBigUInt64LE(0);
    if (size === 0n || size > BigInt(MAX_VIRTUAL_SIZE)) throw new Error(`VHDX virtual disk size ${size} is out of range`);
    return Number(size);
  }
  throw new Error('VHDX metadata has no virtual disk size item');
}

async function metadataRegion(readAt: ReadAt, fileSize: number): Promise<{ offset: number; length: number }> {
  for (const tableOffset of REGION_TABLE_OFFSETS) {
    const table = await readAt(tableOffset, TABLE_BYTES);
    if (!isValidRegionTable(table)) continue;
    const entries = table.readUInt32LE(8);
    for (let index = 0; index < entries; index++) {
      const entry = 16 + index * 32;
      if (!table.subarray(entry, entry + 16).equals(METADATA_REGION_GUID)) continue;
      const offset = Number(table.readBigUInt64LE(entry + 16));
      const length = table.readUInt32LE(entry + 24);
      if (length < TABLE_BYTES || offset + length > fileSize) throw new Error('VHDX metadata region lies outside the file');
      return { offset, length };
    }
    throw new Error('VHDX region table has no metadata region');
  }
  throw new Error('VHDX region tables are both damaged');
}

function isValidRegionTable(table: Buffer): boolean {
  if (table.length < TABLE_BYTES || table.toString('latin1', 0, 4) !== 'regi') return false;
  if (table.readUInt32LE(8) > MAX_TABLE_ENTRIES) return false;
  const copy = Buffer.from(table);
  copy.writeUInt32LE(0, 4);
  return crc32c(copy) === table.readUInt32LE(4);
}

const CRC32C_TABLE = Uint32Array.from({ length: 256 }, (_, byte) => {
  let crc = byte;
  for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? (crc >>> 1) ^ 0x82f63b78 : crc >>> 1;
  return crc >>> 0;
});

/** CRC-32C (Castagnoli), the checksum VHDX uses; zlib's crc32 is the other polynomial. */
function crc32c(data: Buffer): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = CRC32C_TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
