import { GlanceError, type ImageRecord } from '@imagelib/glance';
import { open, rename, unlink } from 'node:fs/promises';
import type { IncomingMessage } from 'node:http';
import { join } from 'node:path';
import type { CatalogClient } from '../catalog/catalog-client.js';
import type { Logger } from '../log.js';
import { UploadFile } from './upload-file.js';
import { uploadTemporaryName } from './upload-temporaries.js';

/**
 * Hashes the upload as it streams and writes it to the file from the very memory it hashes
 * (StreamHasher.writeBlocksTo), so each byte is copied once on its way from the socket to the disk
 * (with direct I/O, UploadFile: no second copy into the page cache).
 */
export interface UploadHasher {
  writeBlocksTo(writer: (block: Buffer, position: number) => Promise<unknown>): void;
  update(chunk: Buffer): Promise<void>;
  /** Resolves once every byte is hashed and every block written. */
  digest(): Promise<{ md5: string; sha512: string; size: number }>;
  abort(): void;
}

export interface ImageUploadOptions {
  repositoryPath: string;
  /** This host's id: in the names of its upload temporaries (upload-temporaries.ts). */
  hostId: string;
  maxUploadBytes: number;
  catalog: CatalogClient;
  newHasher: () => UploadHasher;
  detectFormat: (path: string) => Promise<{ diskFormat: string; virtualSize: number }>;
  log: Logger;
}

/**
 * PUT /v2/images/{id}/file. The data goes to a temporary dot-file in the repository (UploadFile)
 * while MD5 and SHA-512 are computed off the event loop; it is fsynced, checked against the
 * client's declared hashes, renamed to the image's file, and only then does the image become
 * active. On any failure the temporary file is removed and the image goes back to queued (client
 * went away) or to killed.
 */
export async function receiveUpload(options: ImageUploadOptions, image: ImageRecord, request: IncomingMessage): Promise<ImageRecord> {
  const declaredLength = Number(request.headers['content-length'] ?? NaN);
  if (declaredLength > options.maxUploadBytes) throw tooLarge(options.maxUploadBytes);
  const declaredMd5 = parseContentMd5(request.headers['content-md5']);
  const declaredSha512 = parseHex(request.headers['x-image-meta-os-hash-value'], 128, 'X-Image-Meta-Os-Hash-Value');

  await options.catalog.beginUpload(image.id);
  const temporary = join(options.repositoryPath, uploadTemporaryName(options.hostId, image.id));
  const hasher = options.newHasher();
  let kill = false;
  try {
    const file = await UploadFile.create(temporary, 0o640);
    let digest;
    try {
      hasher.writeBlocksTo((block, position) => file.write(block, position));
      let size = 0;
      for await (const chunk of request as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > options.maxUploadBytes) {
          kill = true;
          throw tooLarge(options.maxUploadBytes);
        }
        await hasher.update(chunk);
      }
      if (!request.complete) throw new GlanceError(400, 'The upload was interrupted before the client finished it.');
      digest = await hasher.digest();
      await file.sync();
    } finally {
      await file.close();
    }
    if (declaredMd5 && declaredMd5 !== digest.md5) {
      kill = true;
      throw new GlanceError(400, `Checksum verification failed: the data's MD5 is ${digest.md5}, the client declared ${declaredMd5}.`);
    }
    if (declaredSha512 && declaredSha512 !== digest.sha512) {
      kill = true;
      throw new GlanceError(400, `Checksum verification failed: the data's SHA-512 differs from the declared one.`);
    }
    const format = await options.detectFormat(temporary);
    const fileName = image.id;
    const finalPath = join(options.repositoryPath, fileName);
    await rename(temporary, finalPath);
    await syncDirectory(options.repositoryPath);
    try {
      return await options.catalog.completeUpload({
        id: image.id,
        size: digest.size,
        checksum: digest.md5,
        osHashValue: digest.sha512,
        diskFormatDetected: format.diskFormat,
        virtualSize: format.virtualSize,
        fileName,
      });
    } catch (error) {
      // Not active, so not served: take the file back out rather than leave an orphan.
      await unlink(finalPath).catch(() => undefined);
      throw error;
    }
  } catch (thrown) {
    const error = storageFull(thrown) ?? thrown;
    hasher.abort();
    await unlink(temporary).catch(() => undefined);
    const reason = error instanceof Error ? error.message : String(error);
    await options.catalog.abortUpload({ id: image.id, reason, kill }).catch((abortError: unknown) => {
      options.log.warn({ imageId: image.id, err: abortError }, 'could not tell the controller that an upload failed');
    });
    options.log.warn({ imageId: image.id, reason }, 'upload failed');
    throw error;
  }
}

/** A full disk (or quota) as Glance answers its store's StorageFull: 413, the image back to queued. */
function storageFull(error: unknown): GlanceError | null {
  const code = (error as NodeJS.ErrnoException | null)?.code;
  if (code !== 'ENOSPC' && code !== 'EDQUOT') return null;
  return new GlanceError(413, `Image storage media is full: there is no space left for this image in the host's repository (${code}).`);
}

function tooLarge(limit: number): GlanceError {
  return new GlanceError(413, `Image exceeds the storage quota: the limit is ${limit} bytes.`);
}

/** Content-MD5 as glanceclient sends it (hex) or as RFC 1864 says (base64). */
function parseContentMd5(value: string | string[] | undefined): string | null {
  if (typeof value !== 'string' || value === '') return null;
  if (/^[0-9a-fA-F]{32}$/.test(value)) return value.toLowerCase();
  const decoded = Buffer.from(value, 'base64');
  if (decoded.length === 16 && decoded.toString('base64') === value) return decoded.toString('hex');
  throw new GlanceError(400, 'Content-MD5 must be an MD5 digest in hex or base64.');
}

function parseHex(value: string | string[] | undefined, length: number, header: string): string | null {
  if (typeof value !== 'string' || value === '') return null;
  if (!new RegExp(`^[0-9a-fA-F]{${length}}$`).test(value)) throw new GlanceError(400, `${header} must be ${length} hex digits.`);
  return value.toLowerCase();
}

async function syncDirectory(path: string): Promise<void> {
  const directory = await open(path, 'r');
  try {
    await directory.sync();
  } finally {
    await directory.close();
  }
}
