import { GlanceError, type ImageRecord } from '@imagelib/glance';
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import { isRepositoryEntry } from '../roles/repository-entry.js';
import type { CorruptFiles } from '../status/corrupt-files.js';
import { isSafeFileName } from '../status/image-file-status.js';
import { sendFileRange } from './send-file-range.js';

/**
 * GET /v2/images/{id}/file for an active image. A host that cannot serve the data (no file,
 * unreadable, wrong size, mount gone) answers 503 — stock Nova and Cinder retry another host only
 * on 503 and connection errors. Symlinks are never followed, nor a repository directory swapped for
 * one; files the scrubber found damaged are not served.
 */
export async function sendImageData(repositoryPath: string, corrupt: CorruptFiles, image: ImageRecord, request: IncomingMessage, response: ServerResponse): Promise<void> {
  if (!image.fileName || !isSafeFileName(image.fileName)) throw unavailable(image, 'it has no data file here');
  const path = join(repositoryPath, image.fileName);
  let file;
  try {
    file = await open(path, constants.O_RDONLY | constants.O_NOFOLLOW);
  } catch (error) {
    throw unavailable(image, (error as NodeJS.ErrnoException).code ?? 'cannot open');
  }
  try {
    const info = await file.stat();
    if (!info.isFile()) throw unavailable(image, 'not a regular file');
    if (!(await isRepositoryEntry(file, repositoryPath, image.fileName))) throw unavailable(image, 'the repository path does not lead to the repository directory now');
    if (image.size !== null && info.size !== image.size) throw unavailable(image, `${info.size} bytes on disk, ${image.size} in the catalog`);
    const damage = corrupt.reason(image.fileName, info);
    if (damage) throw unavailable(image, damage);
    const range = parseRange(request.headers.range, info.size);
    const headers: Record<string, string | number> = { 'Content-Type': 'application/octet-stream', 'Accept-Ranges': 'bytes' };
    if (range) {
      headers['Content-Range'] = `bytes ${range.start}-${range.end}/${info.size}`;
      headers['Content-Length'] = range.end - range.start + 1;
      response.writeHead(206, headers);
    } else {
      headers['Content-Length'] = info.size;
      if (image.checksum) headers['Content-MD5'] = image.checksum;
      response.writeHead(200, headers);
    }
    if (request.method === 'HEAD' || info.size === 0) {
      response.end();
      return;
    }
    // A client that goes away mid-download is no error of ours: nothing to answer or log.
    await sendFileRange(file, response, range?.start ?? 0, range?.end ?? info.size - 1);
  } finally {
    await file.close();
  }
}

/** A single `bytes=a-b`, `a-` or `-n` range; null for none or several; 416 when unsatisfiable. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | null {
  if (!header) return null;
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match) return null;
  const [, from, to] = match as unknown as [string, string, string];
  let start: number;
  let end: number;
  if (from === '') {
    if (to === '') return null;
    start = Math.max(0, size - Number(to));
    end = size - 1;
  } else {
    start = Number(from);
    end = to === '' ? size - 1 : Math.min(Number(to), size - 1);
  }
  if (start > end || start >= size) throw new GlanceError(416, `Requested range ${header} not satisfiable for ${size} bytes.`, { 'Content-Range': `bytes */${size}` });
  return { start, end };
}

function unavailable(image: ImageRecord, why: string): GlanceError {
  return new GlanceError(503, `The data of image ${image.id} is not available on this host (${why}); try another host.`);
}
